"""What a notebook user reads: a Result says what it is."""
import citytwin
from support import SMALL


def test_the_repr_of_a_result_without_a_file_says_so(tmp_path):
    r = citytwin.run(SMALL, progress=False)
    assert r.path is None
    text = repr(r)
    assert text.startswith("<citytwin.Result (temporary trace) seed=4 uplinks=") and "None" not in text, text
    kept = citytwin.run(SMALL, out=tmp_path / "r.h5", progress=False)
    assert repr(kept).startswith(f"<citytwin.Result {str(tmp_path / 'r.h5')!r} seed=4 "), repr(kept)

