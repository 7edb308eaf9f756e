"""The pure parts of run list / results / compare / status: flat columns, --columns, CSV, reports, cells."""
from __future__ import annotations

import csv
import io
import unittest

from aiopslab_tasks.errors import RunWaitTimeout
from aiopslab_tasks.progress import render_bar, summary_text
from aiopslab_tasks.results_columns import choose_columns, flatten_row, shown_columns, to_csv
from aiopslab_tasks.run_reports import comparison_report, run_list

ROW = {"agent_label": "yes", "task_type": "all", "n": 4, "success_rate": 0.75, "success_rate_ci": [0.5, 1.0],
       "pass_hat_k": {"1": 0.75, "2": 0.5}, "mean_ttl": None, "prompt_tokens": 120, "nested": {"x": 1}}
# After a retry of two cancelled cells: 4 tasks, 2 of them ended, but no cell is finished.
RETRIED = {"run_id": "r2", "name": "retried", "status": "running", "task_count": 4, "progress": {"cells": 2, "finished_cells": 0},
           "counts": {"pending": 2, "processing": 0, "retrying": 0, "completed": 0, "failed": 0, "timed_out": 0, "cancelled": 2}}


class ResultsColumnsTests(unittest.TestCase):
    def test_pass_hat_k_spreads_into_one_column_per_k_and_intervals_into_low_and_high(self) -> None:
        flat = flatten_row(ROW)
        self.assertEqual(list(flat), ["agent_label", "task_type", "n", "success_rate", "success_rate_ci_low", "success_rate_ci_high",
                                      "pass_hat_1", "pass_hat_2", "mean_ttl", "prompt_tokens"])
        self.assertEqual((flat["pass_hat_2"], flat["success_rate_ci_low"]), (0.5, 0.5))
        self.assertEqual(flatten_row({"difference_ci95": {"low": -0.1, "high": 0.3, "method": "bootstrap"}}),
                         {"difference_ci95_low": -0.1, "difference_ci95_high": 0.3})

    def test_every_column_with_a_value_is_shown_and_empty_ones_are_left_out(self) -> None:
        self.assertNotIn("mean_ttl", shown_columns([flatten_row(ROW)]))
        self.assertIn("pass_hat_2", shown_columns([flatten_row(ROW)]))

    def test_columns_are_chosen_in_the_order_asked_with_pass_k_aliases_and_unknown_names_refused(self) -> None:
        rows = [flatten_row(ROW)]
        self.assertEqual(choose_columns(rows, "success_rate, pass^2,agent_label"), ["success_rate", "pass_hat_2", "agent_label"])
        with self.assertRaises(ValueError) as caught:
            choose_columns(rows, "agent_label,sucess_rate")
        self.assertIn("unknown column(s) sucess_rate", str(caught.exception))
        self.assertIn("success_rate", str(caught.exception))

    def test_csv_writes_the_chosen_columns_with_empty_cells_for_null(self) -> None:
        text = to_csv([flatten_row(ROW)], ["agent_label", "mean_ttl", "pass_hat_1"])
        self.assertEqual(list(csv.reader(io.StringIO(text))), [["agent_label", "mean_ttl", "pass_hat_1"], ["yes", "", "0.75"]])


class RunReportTests(unittest.TestCase):
    def test_the_run_list_shows_each_run_with_its_grid(self) -> None:
        text = run_list([{"run_id": "r1", "name": "n", "status": "finished", "problem_count": 2, "agent_labels": ["a", "b"], "repeats": 3,
                          "task_count": 12, "created_at": "2026-01-01T00:00:00Z", "finished_at": None}])
        self.assertIn("2x2x3", text.splitlines()[1])
        self.assertEqual(run_list([]), "no runs")

    def test_a_comparison_leads_with_its_warnings_and_prints_per_agent_rows_and_mcnemar_p(self) -> None:
        report = comparison_report({
            "a": {"run_id": "A", "name": "first", "status": "running"}, "b": {"run_id": "B", "name": "second", "status": "finished"},
            "pairing": "problem_and_agent", "agent_labels": ["yes"], "pairs": 4, "unpaired": {"a": 0, "b": 1},
            "success_rate_a": 0.5, "success_rate_b": 1.0, "difference": -0.5, "difference_stderr": 0.289, "difference_ci95": [-1.0, 0.0],
            "mcnemar_p": 0.125, "warnings": [{"code": "unfinished", "message": "run A is still running"}, "grids differ: B has 1 more problem"],
            "by_agent": [{"agent_label": "yes", "pairs": 4, "difference": -0.5, "difference_ci95": [-1.0, 0.0], "mcnemar_p": 0.125}],
            "solved_only_by_a": [], "solved_only_by_b": [{"problem_id": "p1", "agent_label": "yes"}],
        })
        lines = report.splitlines()
        self.assertEqual(lines[:2], ["warning   run A is still running", "warning   grids differ: B has 1 more problem"])
        self.assertIn("a - b     -50.0 pp ± 28.9; 95 % interval -100.0 pp to +0.0 pp", report)
        self.assertIn("mcnemar_p 0.125", report)
        per_agent = report[report.index("by_agent:"):].splitlines()
        self.assertEqual(per_agent[1].split(), ["agent_label", "pairs", "difference", "difference_ci95_low", "difference_ci95_high", "mcnemar_p"])
        self.assertEqual(per_agent[2].split(), ["yes", "4", "-0.5", "-1", "0", "0.125"])
        self.assertIn("solved only by b: p1 (yes)", report)


class CellProgressTests(unittest.TestCase):
    def test_status_counts_grid_cells_not_tasks_after_a_retry(self) -> None:
        self.assertEqual(summary_text(RETRIED), "0/2 cells finished; 4 tasks (cancelled 2), 2 pending")
        self.assertEqual(render_bar(RETRIED, width=4), "retried [....] 0/2 cells finished; 4 tasks (cancelled 2), 2 pending · running")
        self.assertIn("(0/2 cells finished)", str(RunWaitTimeout("r2", 5, RETRIED)))


if __name__ == "__main__":
    unittest.main()
