def test_window_opens_on_the_last_run(window):
    review = window.review
    assert review.queue.model.rowCount() == 5
    assert "run #" in window.windowTitle()
