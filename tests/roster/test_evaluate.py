"""``attendance evaluate`` on the shared people: the exact figures it must print."""

from __future__ import annotations

import re

from conftest import SHARED, run_cli


def test_evaluate_shared_people() -> None:
    """5 people, one enrolled photo each; the 4 second photos are the probes (alex has
    one photo, so no probe).  Genuine distances are 0.37-0.42 and the closest stranger is
    0.76 away (measured), so at 0.5 every probe is right and nobody is falsely accepted."""
    proc = run_cli("evaluate", str(SHARED / "people"), timeout=600)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    out = proc.stdout.splitlines()
    assert out[0] == "tolerance 0.50; one enrollment photo per person; 5 people; faces found by yunet"
    rows = {line.split()[0] + (" " + line.split()[1] if not line.split()[1].isdigit() else ""): line.split()[-6:] for line in out[2:7]}
    assert rows == {"alex lacamoire": ["0", "0", "0", "0", "1", "0"], "biden": ["1", "1", "0", "0", "2", "0"],
                    "kit harington": ["1", "1", "0", "0", "2", "0"], "obama": ["1", "1", "0", "0", "2", "0"],
                    "rose leslie": ["1", "1", "0", "0", "2", "0"]}
    assert "rank-1 accuracy: 100.0% of 4 probe photos" in out
    assert "false-accept rate (leave-one-person-out): 0.0% of 9 photos of people not enrolled" in out
    sweep = dict(re.findall(r"(\d\.\d\d): (accuracy [\d.]+%, false accepts [\d.]+%)", out[-3]))
    for tol in ("0.45", "0.50", "0.55", "0.60"):
        assert sweep[tol] == "accuracy 100.0%, false accepts 0.0%"
    assert out[-2] == "photo rule (one photo: distance < 0.46, margin >= 0.10): accuracy 100.0%, false accepts 0.0%"
    # Each photo downscaled so that its face is 32, 40 and 50 px: the 4 probes give 12
    # genuine faces, all 9 photos 27 impostor faces (the enrolled person left out).
    assert out[-1] == ("photo rule, photos downscaled to 32/40/50 px faces (distance < 0.52 under 36 px, 0.50 under 45 px, 0.48 under 60 px): "
                       "accuracy 100.0% of 12, false accepts 0.0% of 27")
