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
# The audit describes the screen on the day it was audited. Will anybody notice when that stops
# being true? This step writes a monitoring plan (as many months as `monitoring.months`) that people
# can sign and a scheduler can run (`hiring-audit monitor`), and then runs it on simulated future
# months to show which alert fires when, and who is paged.

# %% tags=["parameters"]
params_path = None
run_dir = None

# %%
from IPython.display import Image, Markdown, display

from audit_helpers import monitoring
from audit_helpers.context import load_context

ctx = load_context(params_path, run_dir)
ctx.params_table(sections=["monitoring"])

# %% [markdown]
# ## How the plan is built
#
# * **Baseline.** The frozen reference bins of the drift step and the audited screen, each named
#   with its sha256: the monitor refuses a profile or a model file with another hash. Group
#   signals are compared with the audit's first held-out split (test; next month's sample when a supplied
#   model comes without a test file), counted by the monitor itself.
# * **Signals.** Every model input and the score (PSI against the frozen bins, the drift step's
#   two-key tiers), the overall selection rate, the selection rate and impact ratio of every group
#   (the unknown group included), and error rates once outcome labels mature.
# * **Two keys for groups too.** A change since the audit turns amber or red only when it is
#   beyond the tolerance *and* significant after one Holm correction over all group tests of the
#   batch; small groups and small batches are not judged (batches are pooled until they are big
#   enough). A signal amber twice in a row turns red.

# %%
section, plan, month_results = monitoring.monitoring_from_context(ctx)
ctx.write_section("monitoring", section)
display(Markdown(monitoring.plan_narrative(plan)))

# %% [markdown]
# ## The plan
#
# The plan as written to `monitoring_plan.md` (the same content as the machine-readable
# `monitoring_plan.yaml` that the monitor applies).

# %%
display(Markdown((ctx.run_dir / section["plan_files"]["md"]).read_text(encoding="utf-8")))

# %% [markdown]
# ## Simulated months
#
# Future months are drawn from the scenario's generator along a documented trajectory: stable
# months first, then a creeping shift (years of experience shrink a little more every month),
# then a break (experience shrinks further, a new role tag appears and women's career breaks are
# recorded as longer, which reaches the screen's score through the employment-gap proxy). Each
# month is written as a batch file and monitored with the same function as `hiring-audit
# monitor`; the screen scores the batch itself, and outcome labels exist only in the months whose
# outcomes have matured.

# %%
sim = section["simulation"]
display(Markdown(monitoring.simulation_narrative(sim["months"], sim["first_red_period"])))
monitoring.simulation_table(sim["months"])

# %%
fig = monitoring.plot_timeline(sim["timeline"], sim["months"])
fig.savefig(ctx.figures_dir / "monitoring_timeline.png", dpi=110)
Image(filename=ctx.figures_dir / "monitoring_timeline.png")

# %% [markdown]
# ### Who is paged, for what, by when

# %%
monitoring.alerts_table(sim["months"])
