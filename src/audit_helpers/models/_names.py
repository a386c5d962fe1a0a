"""The models step's names (model families, performance metrics, pipeline step names) and its
error messages (tests import these from here).
"""

FAMILIES = ("logistic_regression", "random_forest")
METRICS = ("auc", "accuracy", "precision", "recall", "brier", "selection_rate")
CLASSIFIER_STEP = "classifier"
PREPROCESS_STEP = "preprocess"

# ---------------------------------------------------------------------------------------------
# error messages (tests import these)

UNKNOWN_FAMILY = "unknown model family {family!r}; choose from {families}"
NO_INPUT_COLUMNS = "no model input columns: feature_spec['model_features'] is empty"
UNTYPED_COLUMNS = (
    "model input column(s) {columns} are in neither numeric, categorical nor multilabel of the "
    "feature spec; cannot tell how to encode them"
)
MISSING_TRAIN_COLUMNS = "the training data lacks {n} model input column(s): {missing}"
BAD_LABEL = "the label must hold only 0 and 1 (1 = positive) with both present; found values {values}"
LENGTH_MISMATCH = "y_true and scores must have the same length, got {n_true} and {n_score}"
EMPTY_INPUT = "cannot evaluate on an empty sample"
BAD_SCORES = "scores must be finite numbers"
BAD_THRESHOLD_RATE = "the target pass rate must be in [0, 1], got {rate}"
NO_THRESHOLD_SCORES = "threshold_rule 'historical_rate' needs reference scores, but none were computed for {name}"
NOT_A_STRING_COLUMN = "MultiHotEncoder expects exactly one column of {sep!r}-joined tags, got {n} columns"
UNFITTED_ENCODER = "this MultiHotEncoder is not fitted yet; call fit first"
NO_MODEL_PATH = "model.path is not set: there is no supplied model to load"
BAD_MODEL_NAME = "model name {name!r} must be 1-60 letters, digits, '_', '-' or '.'"
