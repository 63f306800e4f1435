"""The project's tables, read and written in one place (``podmotion.tables``): exact text both ways,
exact bytes, one-line errors, and atomic writes."""

from __future__ import annotations

import errno
import re
from fractions import Fraction

import pandas as pd
import pytest

from podmotion.errors import PodmotionError
from podmotion.scene_folder import (
    PROMPT_COLUMNS,
    SCENE_FOLDER,
    TIMESTAMP_REQUIRED,
    NarrationSpan,
    Scene,
    read_prompts,
    write_narration,
    write_prompts,
    write_timestamps,
)
from podmotion.summary import benchmark_seconds
from podmotion.tables import Owner, field, read_table, write_table
from podmotion.topics import VariantRow, write_variants

TRICKY = 'a "quoted" sea, waves; commas, and\nnew lines — café ☕ 海'
AWKWARD = [TRICKY, "", " both ends ", '"', '""', "a\r\nb", "lone\rreturn", "NA", "nan", "null", "None", "0001",
           "1e5", "-0.0", "#not a comment", "tab\there", "back\\slash", "\ufeffbom inside", "x" * 5000]  # fmt: skip
THING = Owner("a thing", "things/NAME", "things")


def one_line(err: pytest.ExceptionInfo, path, problem: str) -> None:
    """The error names the file, then the problem, on one line."""
    assert "\n" not in str(err.value)
    assert re.fullmatch(rf"{re.escape(str(path))}: {problem}", str(err.value)), str(err.value)


# -- text in, the same text out ---------------------------------------------------------------


def test_any_text_round_trips_exactly_and_nothing_becomes_a_number(tmp_path):
    path = tmp_path / "t.csv"
    write_table(path, ("scene", "prompt"), [(k, text) for k, text in enumerate(AWKWARD, start=1)])
    rows = read_table(path, ("scene", "prompt"), about=THING)
    assert rows == [{"scene": str(k), "prompt": text} for k, text in enumerate(AWKWARD, start=1)]
    assert all(type(v) is str for row in rows for v in row.values())


def test_prompts_round_trip_through_the_scene_folder_writer_and_reader(tmp_path):
    prompts = {k: text for k, text in enumerate(AWKWARD, start=1) if text}  # an empty prompt is no prompt
    write_prompts(prompts, tmp_path / "prompts.csv")
    assert read_prompts(tmp_path / "prompts.csv") == prompts


def test_a_timestamps_table_is_these_bytes(tmp_path):
    scenes = [Scene(1, 0, 48, Fraction(0), Fraction(8008, 5000)),  # 48 frames at 29.97 fps: 1.6016 s
              Scene(2, 48, 101, Fraction(8008, 5000), Fraction(1, 3)),  # a third rounds to six decimals
              Scene(3, 101, 300, Fraction(1, 3), Fraction(10), "footage")]  # fmt: skip
    write_timestamps(scenes, tmp_path / "timestamps.csv")
    assert (tmp_path / "timestamps.csv").read_bytes() == (
        b"scene,start_frame,end_frame,start_time,end_time,duration,kind\r\n"
        b"1,0,48,0.000000,1.601600,1.601600,still\r\n"
        b"2,48,101,1.601600,0.333333,-1.268267,still\r\n"
        b"3,101,300,0.333333,10.000000,9.666667,footage\r\n"
    )  # fmt: skip


def test_narration_and_variants_tables_are_these_bytes(tmp_path):
    write_narration([NarrationSpan(1, "01", "audio/é 1.wav", 0, 24000), NarrationSpan(2, "2", None, 24000, 36000)],
                    tmp_path / "narration.csv")  # fmt: skip
    assert (tmp_path / "narration.csv").read_bytes() == (
        "scene,label,audio,start_sample,end_sample,duration_s\r\n"
        "1,01,audio/é 1.wav,0,24000,0.500000\r\n"
        "2,2,,24000,36000,0.250000\r\n"
    ).encode("utf-8")  # fmt: skip
    write_variants([VariantRow(1, 1, 0.12345, False), VariantRow(1, 2, 1.0, True), VariantRow(2, 1, None, True)],
                   tmp_path / "variants.csv")  # fmt: skip
    assert (tmp_path / "variants.csv").read_bytes() == b"scene,variant,score,chosen\r\n1,1,0.1235,0\r\n1,2,1.0000,1\r\n2,1,,1\r\n"


def test_a_quoted_field_is_quoted_as_csv_quotes_it(tmp_path):
    write_table(tmp_path / "p.csv", PROMPT_COLUMNS, [(1, 'say "hi", then\nleave'), (2, "lone\rreturn"), (3, "plain")])
    assert (tmp_path / "p.csv").read_bytes() == (
        b'scene,prompt\r\n1,"say ""hi"", then\nleave"\r\n2,"lone\rreturn"\r\n3,plain\r\n'
    )  # fmt: skip


def test_lines_ending_in_newline_alone_a_bom_and_blank_lines_read_the_same(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeffscene,prompt,extra\n1,\"a\nb\",x\n\n2,c,y\n".encode("utf-8"))
    assert read_table(path, PROMPT_COLUMNS, about=THING) == [
        {"scene": "1", "prompt": "a\nb", "extra": "x"}, {"scene": "2", "prompt": "c", "extra": "y"},
    ]  # fmt: skip


def test_a_header_alone_is_no_rows_only_where_that_is_allowed(tmp_path):
    path = tmp_path / "t.csv"
    write_table(path, PROMPT_COLUMNS, [])
    assert path.read_bytes() == b"scene,prompt\r\n"
    assert read_table(path, PROMPT_COLUMNS, about=THING, empty_ok=True) == []
    with pytest.raises(PodmotionError) as err:
        read_table(path, PROMPT_COLUMNS, about=THING)
    one_line(err, path, "no things")


def test_values_are_formatted_by_the_caller(tmp_path):
    with pytest.raises(TypeError, match="format it first"):
        write_table(tmp_path / "t.csv", ("a",), [(0.1,)])
    with pytest.raises(ValueError):
        write_table(tmp_path / "t.csv", ("a", "b"), [(1, 2, 3)])
    assert list(tmp_path.iterdir()) == []


# -- one-line errors ----------------------------------------------------------------------------

MALFORMED = {
    "missing column": (b"scene,start_frame,start_time,end_time,duration\r\n1,0,0.0,1.0,1.0\r\n",
                       r"missing columns: end_frame \(a scene folder's timestamps\.csv has "
                       r"scene,start_frame,end_frame,start_time,end_time,duration\)"),
    "no header at all": (b"", r"missing columns: scene, start_frame, end_frame, start_time, end_time, duration .*"),
    "not UTF-8": (b"scene,start_frame,end_frame,start_time,end_time,duration\r\n1,0,50,0.0,2.0,2.0 \xe9t\xe9\r\n",
                  r"cannot read \('utf-8' codec can't decode byte 0xe9 .*\)"),
    "header only": (b"scene,start_frame,end_frame,start_time,end_time,duration\r\n", "no scenes"),
    "unclosed quote": (b'scene,start_frame,end_frame,start_time,end_time,duration\r\n1,0,50,"0.0,2.0,2.0\r\n',
                       r"cannot read \(Error tokenizing data\. C error: EOF inside string .*\)"),
    "row longer than the header": (b"scene,start_frame,end_frame,start_time,end_time,duration\r\n1,0,50,0,2,2,9\r\n",
                                   r"cannot read \(the first row has more fields than the header's 6 columns\)"),
    "a later row longer": (b"scene,start_frame,end_frame,start_time,end_time,duration\r\n1,0,50,0,2,2\r\n"
                           b"2,50,60,2,3,1,9\r\n", r"cannot read \(.*Expected 6 fields in line 3, saw 7\)"),
}  # fmt: skip


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_table_is_one_line_naming_it(tmp_path, case):
    content, problem = MALFORMED[case]
    path = tmp_path / "timestamps.csv"
    path.write_bytes(content)
    with pytest.raises(PodmotionError) as err:
        read_table(path, TIMESTAMP_REQUIRED, about=SCENE_FOLDER)
    one_line(err, path, problem)


def test_a_missing_table_is_one_line_saying_where_tables_are(tmp_path):
    with pytest.raises(PodmotionError) as err:
        read_table(tmp_path / "timestamps.csv", TIMESTAMP_REQUIRED, about=SCENE_FOLDER)
    one_line(err, tmp_path / "timestamps.csv", r"file not found \(is this a scene folder, results/NAME/scenes\?\)")


def test_a_value_that_is_not_a_number_is_one_line_naming_its_line(tmp_path):
    path = tmp_path / "t.csv"
    write_table(path, ("scene", "start_time"), [(1, "0.5"), ("2x", "1/0")])
    row1, row2 = read_table(path, ("scene", "start_time"), about=THING)
    assert (field(path, 2, row1, "scene", int), field(path, 2, row1, "start_time", Fraction)) == (1, Fraction(1, 2))
    with pytest.raises(PodmotionError) as err:
        field(path, 3, row2, "scene", int)
    one_line(err, path, r"line 3: scene '2x' is not a whole number")
    with pytest.raises(PodmotionError) as err:
        field(path, 3, row2, "start_time", Fraction)
    one_line(err, path, r"line 3: start_time '1/0' is not a number")


def test_a_snakemake_benchmark_is_read_tab_separated(tmp_path):
    path = tmp_path / "scene_001.tsv"
    path.write_text("s\th:m:s\tmax_rss\tmean_load\n12.3456\t0:00:12\tNA\t98.1\n20.0\t0:00:20\tNA\t97.0\n")
    assert benchmark_seconds(path) == 12.3456  # the first run's
    path.write_text("h:m:s\n0:00:12\n")
    with pytest.raises(PodmotionError) as err:
        benchmark_seconds(path)
    one_line(err, path, r"missing columns: s \(a Snakemake benchmark's scene_001\.tsv has s\)")


# -- atomic writes ------------------------------------------------------------------------------


def test_a_write_that_fails_halfway_leaves_no_partial_file_and_the_old_one_as_it_was(tmp_path, monkeypatch):
    old = tmp_path / "old.csv"
    write_table(old, PROMPT_COLUMNS, [(1, "the old prompt")])
    before = old.read_bytes()

    def half_then_full_disk(self, path, **kw):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("scene,prompt\r\n1,the new pr")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_full_disk)
    for path in (old, tmp_path / "new.csv"):
        with pytest.raises(OSError, match="No space left"):
            write_table(path, PROMPT_COLUMNS, [(1, "the new prompt")])
    assert old.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.csv"]  # no new.csv, no temporary file
