"""The ruian-governance console script (demo)."""

from __future__ import annotations

import pytest

from ruian_governance.__main__ import main


def test_demo_prints_the_ruian_summary(capsys: pytest.CaptureFixture[str]) -> None:
    """The main job prints a bilingual summary of the Rui'an preset."""
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("瑞安市 Rui'an")
    assert "grid 网格: 3000" in out
    assert "grid worker 网格员: 18000" in out
    assert "micro-grid worker 微网格员: 30000" in out
    assert "安阳街道 Anyang Subdistrict" in out


def test_bad_option_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown option exits with code 2 and a usage line, no traceback."""
    with pytest.raises(SystemExit) as info:
        main(["--frobnicate"])
    assert info.value.code == 2
    assert "usage" in capsys.readouterr().err
