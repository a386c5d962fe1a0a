# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 06 · Monitoring plan
#
# **The audit describes the screen on the day it was audited. Will anybody notice when that
# stops being true?** This step writes a monitoring plan that people can sign and a scheduler can
# run (`hiring-audit monitor`), then runs it on simulated future months to show which alert fires
# when, and who is paged.

# %% tags=["parameters"]
params_path = None
run_dir = None

# %%
from IPython.display import display

from audit_helpers import show
from audit_helpers import monitoring
from audit_helpers.context import Markdown, load_context

ctx = load_context(params_path, run_dir)
out = monitoring.run_step(ctx)
ctx.publish(out)  # the plan, the simulated months and the section are written: the summary step may start
section, plan = out.sections["monitoring"], out.extras["plan"]
sim = section["simulation"]
plan_md = section["plan_files"]["md"]
show.findings_box(monitoring.monitoring_findings(plan, sim, plan_file=plan_md))

# %% [markdown]
# ## The plan
#
# * **Baseline.** The frozen reference bins of the drift step and the audited screen, each named
#   with its sha256: the monitor refuses a profile or a model file with another hash. Group
#   signals are compared with the audit's first held-out split, counted by the monitor itself.
# * **Two keys for groups too.** A change since the audit turns amber or red only when it is
#   beyond the tolerance *and* significant after one Holm correction over all group tests of the
#   batch; small groups and small batches are not judged (batches are pooled until big enough).

# %%
display(Markdown(monitoring.plan_narrative(plan)
                 + f" The plan to sign is [`{plan_md}`](../{plan_md}) in the run folder (sections 'Watch list', "
                   "'Tiers', 'Cadence', 'Owners', 'Escalation', 'Records', 'Calendar', 'Sign-off'); the monitor applies "
                   f"`{section['plan_files']['yaml']}`. Its escalation ladder:"))
display(show.table(monitoring.escalation_table(plan), index=False, classes="compact",
                   caption=f"Who is paged, for what, by when ({plan_md}, section 'Escalation')"))
display(show.screen_only(Markdown((ctx.run_dir / plan_md).read_text(encoding="utf-8")), summary=f"The whole plan ({plan_md})",
                         print_note=f"The whole plan (watch list, tiers, cadence, owners, records, calendar, sign-off): "
                                    f"{plan_md} in the run folder, also in the HTML version of this notebook."))

# %% [markdown]
# ## Simulated months

# %%
months = sim["months"]
if months:
    display(Markdown(
        "Future months are drawn from the scenario's generator along a documented trajectory: stable months first, "
        "then a creeping shift (years of experience shrink a little more every month), then a break (experience "
        "shrinks further, a new role tag appears and women's career breaks are recorded as longer, which reaches the "
        "screen's score through the employment-gap proxy). Each month is monitored with the same function as "
        "`hiring-audit monitor`; outcome labels exist only in the months whose outcomes have matured."))
    display(ctx.figure(monitoring.plot_timeline(sim["timeline"], months), name="06_monitoring_timeline",
                       caption=monitoring.timeline_caption(months, sim["timeline"])))
    display(show.table(monitoring.months_table(months), formats=monitoring.MONTHS_FORMATS, index=False,
                       classes="compact", caption="Each simulated month: tier, exit code, signals off green, alerts"))
    display(show.table(monitoring.paging_table(months), classes="compact",
                       caption="Alerts per person paged and month"))
    display(show.screen_only(
        [Markdown(monitoring.simulation_narrative(months, sim["first_red_period"])),
         show.table(monitoring.simulation_table(months), caption="Every month's amber and red signals"),
         show.table(monitoring.alerts_table(months), index=False, caption="Every alert: who is paged, for what, by when")],
        summary="Every month's signals and every alert",
        print_note="Every month's amber and red signals and every alert with who is paged, what they must do and by "
                   "when: HTML version of this notebook, section 'Simulated months'."))
else:
    display(Markdown(f"No months were simulated: {sim.get('reason') or 'no simulation for this run'}."))

# %% [markdown]
# ## Appendix · run parameters

# %%
ctx.params_appendix(sections=["monitoring"])
