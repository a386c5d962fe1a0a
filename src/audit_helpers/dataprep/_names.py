"""The data step's split names, its notes about ids and splits, and its inference shares.
"""

SPLITS = ("train", "test", "eval")
#: Name of the id column made from the row number when the supplied files have no id column.
ROW_ID_COLUMN = "row_number"
ROW_ID_NOTE = (
    "no id column in the supplied files: each applicant's id is its row number in its file "
    "(1 = the first data row), kept as column {column!r} in the prepared splits"
)
NO_TEST_SPLIT_NOTE = (
    "No test split: the supplied model was trained on its training sample and no data.test_path was given, "
    "so no rows it has seen are held out as a test; the model is evaluated on next month's applicants only, "
    "and the whole training sample is the drift reference."
)
#: Share of parseable values above which a text column is inferred as numeric.
NUMERIC_INFERENCE_SHARE = 0.9
#: Share of the training data under which a group is listed as small (LL144's 2% rule).
SMALL_GROUP_SHARE = 0.02
