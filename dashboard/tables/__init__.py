"""Table shaping: frames from the metrics in, the frames a reader's table (or a chart) shows.

Pure polars functions, no Streamlit and no Plotly, so each is unit-tested and the pages only
lay out what these return (issue 17: they were mixed into the chart modules and the pages).
One module a page kind: :mod:`.protected` (the counts under disclosure control, shared by
pages), :mod:`.workforce`, :mod:`.flows`, :mod:`.cost`, :mod:`.programme` and
:mod:`.health`.  Every name is here too, so ``tables.moves_table`` reads as it always has.
"""

from __future__ import annotations

from dashboard.tables.cost import OFF_PAYROLL as OFF_PAYROLL
from dashboard.tables.cost import RECONCILIATION_FLAG as RECONCILIATION_FLAG
from dashboard.tables.cost import WITHIN_TOLERANCE as WITHIN_TOLERANCE
from dashboard.tables.cost import category_spend as category_spend
from dashboard.tables.cost import complete_average as complete_average
from dashboard.tables.cost import cost_per_fte_table as cost_per_fte_table
from dashboard.tables.cost import labelled as labelled
from dashboard.tables.cost import off_payroll as off_payroll
from dashboard.tables.cost import ratio_table as ratio_table
from dashboard.tables.cost import reconciliation_table as reconciliation_table
from dashboard.tables.cost import since as since
from dashboard.tables.cost import spans_table as spans_table
from dashboard.tables.cost import spend_groups as spend_groups
from dashboard.tables.cost import spend_table as spend_table
from dashboard.tables.cost import total as total
from dashboard.tables.cost import year_rows as year_rows
from dashboard.tables.flows import highest_turnover as highest_turnover
from dashboard.tables.flows import moves_shown as moves_shown
from dashboard.tables.flows import steps_table as steps_table
from dashboard.tables.flows import turnover_by_grade as turnover_by_grade
from dashboard.tables.flows import turnover_table as turnover_table
from dashboard.tables.health import FEED_STATUS as FEED_STATUS
from dashboard.tables.health import LOAD_OUTCOMES as LOAD_OUTCOMES
from dashboard.tables.health import NO_STATUS as NO_STATUS
from dashboard.tables.health import audit_table as audit_table
from dashboard.tables.health import dates_text as dates_text
from dashboard.tables.health import freshness_table as freshness_table
from dashboard.tables.health import load_log_table as load_log_table
from dashboard.tables.health import outcomes_in_words as outcomes_in_words
from dashboard.tables.health import refusals_table as refusals_table
from dashboard.tables.health import unmapped_table as unmapped_table
from dashboard.tables.programme import MEASURE_ORDER as MEASURE_ORDER
from dashboard.tables.programme import benefits_and_cost as benefits_and_cost
from dashboard.tables.programme import benefits_table as benefits_table
from dashboard.tables.programme import ratings_table as ratings_table
from dashboard.tables.programme import slippage_table as slippage_table
from dashboard.tables.programme import sum_or_none as sum_or_none
from dashboard.tables.protected import DIVERSITY_RULE as DIVERSITY_RULE
from dashboard.tables.protected import DIVERSITY_SHARES as DIVERSITY_SHARES
from dashboard.tables.protected import MOVES_DIMS as MOVES_DIMS
from dashboard.tables.protected import MOVES_RULE as MOVES_RULE
from dashboard.tables.protected import diversity_table as diversity_table
from dashboard.tables.protected import moves_table as moves_table
from dashboard.tables.protected import suppressed_cells as suppressed_cells
from dashboard.tables.workforce import GRADE_ORDER as GRADE_ORDER
from dashboard.tables.workforce import comparison_about as comparison_about
from dashboard.tables.workforce import diversity_grades_table as diversity_grades_table
from dashboard.tables.workforce import filters_text as filters_text
from dashboard.tables.workforce import grade_rank as grade_rank
from dashboard.tables.workforce import groups_table as groups_table
from dashboard.tables.workforce import headcount_outside as headcount_outside
from dashboard.tables.workforce import in_grade_order as in_grade_order
from dashboard.tables.workforce import largest as largest
from dashboard.tables.workforce import most_first as most_first
from dashboard.tables.workforce import mover_labels as mover_labels
from dashboard.tables.workforce import regions_table as regions_table
from dashboard.tables.workforce import with_codes as with_codes
