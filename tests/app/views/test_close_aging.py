"""The queue filters by the close's aging buckets (0–30, 31–60, 61–90, 90+ days open)."""

from __future__ import annotations

from app.models.exception_table import ID_ROLE
from app.models.queue_frame import QueueFilter


def _customers(model):
    return sorted(str(model.data(model.index(r, 2)) or "") for r in range(model.rowCount()))


def test_the_queue_shows_one_aging_bucket_at_a_time(window):
    queue = window.review.queue
    model = queue.model
    assert model.rowCount() == 5
    queue.bucket_box.setCurrentIndex(queue.bucket_box.findText("31–60 days"))
    # only the critical item first seen 40 days ago is in 31–60
    assert model.rowCount() == 1 and _customers(model) == ["Initech SA"]
    assert model.data(model.index(0, 0), ID_ROLE) is not None
    assert queue.current_filter().to_dict()["age_min"] == 31 and queue.current_filter().age_max == 60
    queue.bucket_box.setCurrentIndex(queue.bucket_box.findText("0–30 days"))
    assert model.rowCount() == 4 and "Initech SA" not in _customers(model)
    queue.bucket_box.setCurrentIndex(queue.bucket_box.findText("90+ days"))
    assert model.rowCount() == 0


def test_a_saved_bucket_filter_is_shown_as_its_bucket(window):
    queue = window.review.queue
    queue.set_filter(QueueFilter(age_min=61, age_max=90))
    assert queue.bucket_box.currentText() == "61–90 days" and queue.age_min.value() == -1
    queue.clear_filters()
    assert queue.bucket_box.currentText() == "any aging bucket" and queue.model.rowCount() == 5
