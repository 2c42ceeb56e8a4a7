"""What crosses a process boundary in the merge survives the trip."""

import pickle

from kehoach.validators.workbook import UnreadableWorkbook


def test_unreadable_workbook_survives_pickling() -> None:
    error = UnreadableWorkbook("tệp không phải sổ làm việc Excel", "not an Excel workbook")
    back = pickle.loads(pickle.dumps(error))
    assert isinstance(back, UnreadableWorkbook)
    assert (back.reason, back.reason_en, str(back)) == (error.reason, error.reason_en, str(error))
