"""Export templates and the plan (dry run): pure, no database, no files."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from photoimport.errors import TemplateInvalid
from photoimport.export.plan import ExistingFile, ExportSource, make_plan
from photoimport.export.template import (
    DEFAULT_TEMPLATE,
    DEFAULT_UNDATED_TEMPLATE,
    TOKEN_HELP,
    parse_template,
)

NY = timezone(timedelta(hours=-5))
T1 = datetime(2021, 4, 11, 15, 47, 53, tzinfo=NY)


def src(
    file_id: int,
    name: str = "IMG_0001.JPEG",
    local: datetime | None = T1,
    sha: str | None = None,
    **kw: object,
) -> ExportSource:
    values: dict[str, object] = {
        "file_id": file_id,
        "path": f"/photos/a/{name}",
        "name": name,
        "size": 100 + file_id,
        "sha256": sha or f"{file_id:064x}",
        "local": local,
        "confidence": "HIGH",
        "kind": "photo",
        "make": "Apple",
        "model": "iPhone 12",
        "job": 3,
        "folder": "a/b",
    }
    values.update(kw)
    return ExportSource(**values)  # type: ignore[arg-type]


DATED = parse_template(DEFAULT_TEMPLATE)
UNDATED = parse_template(DEFAULT_UNDATED_TEMPLATE, undated=True)


def test_default_template_names_by_local_wall_clock_not_utc() -> None:
    plan = make_plan([src(1)], DATED, UNDATED)
    assert [f.target for f in plan.files] == ["2021/2021-04-11/20210411_154753.jpg"]


def test_every_token_renders() -> None:
    text = "/".join("{" + t + "}" for t in TOKEN_HELP if t != "ext") + "{ext}"
    tpl = parse_template(text)
    (f,) = make_plan([src(1)], tpl, UNDATED).files
    assert f.target == (
        "2021/04/11/15/47/53/2021-04-11/154753/Apple iPhone 12/Apple/iPhone 12/IMG_0001/"
        "photo/high/3/a/b.jpg"
    )


def test_camera_does_not_repeat_the_make_and_missing_values_say_unknown() -> None:
    tpl = parse_template("{camera}/{make}/{model}/{name}{ext}")
    a = src(1, make="Canon", model="Canon EOS 5D")
    b = src(2, name="x.jpg", make=None, model=None)
    targets = sorted(f.target for f in make_plan([a, b], tpl, UNDATED).files)
    assert targets == [
        "Canon EOS 5D/Canon/Canon EOS 5D/IMG_0001.jpg",
        "unknown camera/unknown/unknown/x.jpg",
    ]


def test_undated_photos_use_the_fallback_and_empty_folders_vanish() -> None:
    plan = make_plan([src(1, local=None, folder="")], DATED, UNDATED)
    assert [f.target for f in plan.files] == ["undated/IMG_0001.jpg"]
    assert plan.undated == 1


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{year}/{nme}{ext}", "unknown token {nme}"),
        ("../{name}{ext}", "'..' folder"),
        ("{year}/./{name}{ext}", "'.' folder"),
        ("/srv/{name}{ext}", "absolute"),
        ("~/{name}{ext}", "absolute"),
        ("C:{name}{ext}", "absolute"),
        ("{year}\\{name}{ext}", "backslash"),
        ("{year}/{name", "must end with {ext}"),
        ("{year}/{name}}{ext}", "unmatched brace"),
        ("", "empty"),
        ("{year}/{name}", "must end with {ext}"),
    ],
)
def test_bad_templates_are_refused_in_plain_words(text: str, words: str) -> None:
    with pytest.raises(TemplateInvalid, match=words.replace("{", r"\{").replace(".", r"\.")):
        parse_template(text)


def test_undated_template_cannot_use_date_tokens() -> None:
    with pytest.raises(TemplateInvalid, match="without a date"):
        parse_template("undated/{year}/{name}{ext}", undated=True)


def test_values_never_leave_the_destination() -> None:
    tpl = parse_template("{folder}/{make}/{name}{ext}")
    evil = src(1, name="...jpg", make="../../etc", folder="../x/./y")
    (f,) = make_plan([evil], tpl, UNDATED).files
    assert ".." not in f.target.split("/")
    assert f.target == "_/x/_/y/.._.._etc/_.jpg"


def test_collisions_get_suffixes_in_a_deterministic_order() -> None:
    later_sha = [src(i, sha=f"{9 - i:064x}") for i in range(3)]  # same second, three photos
    plan_a = make_plan(later_sha, DATED, UNDATED)
    plan_b = make_plan(list(reversed(later_sha)), DATED, UNDATED)
    got = {f.source.file_id: f.target for f in plan_a.files}
    assert got == {f.source.file_id: f.target for f in plan_b.files}
    # ordered by SHA-256 at equal times: id 2 has the smallest
    assert got[2].endswith("154753.jpg")
    assert got[1].endswith("154753_1.jpg")
    assert got[0].endswith("154753_2.jpg")
    assert plan_a.collisions == 2


def test_a_suffix_never_takes_a_name_another_photo_wants() -> None:
    tpl = parse_template("{name}{ext}")
    a, b, c = src(1, name="x.jpg"), src(2, name="x.jpg"), src(3, name="x_1.jpg")
    targets = {f.source.file_id: f.target for f in make_plan([a, b, c], tpl, UNDATED).files}
    assert sorted(targets.values()) == ["x.jpg", "x_1.jpg", "x_2.jpg"]
    assert targets[3] == "x_1.jpg"


def test_names_differing_only_in_case_collide() -> None:
    tpl = parse_template("{name}{ext}")
    targets = sorted(
        f.target
        for f in make_plan([src(1, name="A.jpg"), src(2, name="a.jpg")], tpl, UNDATED).files
    )
    assert targets == ["A.jpg", "a_1.jpg"]


def test_discarded_left_out_unless_asked_and_variants_share_the_base_name() -> None:
    jpg = src(1, name="IMG_1.JPG")
    raw = src(2, name="IMG_1.CR2", kind="raw", variant_of=1)
    gone = src(3, name="IMG_2.JPG", discarded=True)
    gone_raw = src(4, name="IMG_2.CR2", variant_of=3)
    twin = src(5, name="other.jpg")  # same second as jpg: the group moves together
    plan = make_plan([raw, jpg, gone, gone_raw, twin], DATED, UNDATED)
    by_id = {f.source.file_id: f.target for f in plan.files}
    assert [s.file_id for s in plan.discarded] == [3]
    assert set(by_id) == {1, 2, 5}
    assert by_id[1].removesuffix(".jpg") == by_id[2].removesuffix(".cr2")
    assert plan.total_bytes == sum(s.size for s in (jpg, raw, twin))
    with_gone = make_plan([raw, jpg, gone, gone_raw], DATED, UNDATED, include_discarded=True)
    assert len(with_gone.files) == 4


def test_existing_files_are_kept_when_ours_and_never_overwritten_when_not() -> None:
    a = src(1)
    mine = {"2021/2021-04-11/20210411_154753.jpg": ExistingFile(size=a.size, sha256=a.sha256)}
    (f,) = make_plan([a], DATED, UNDATED, existing=mine.get).files
    assert f.target.endswith("154753.jpg")
    assert f.exists
    assert not f.renamed
    other = {"2021/2021-04-11/20210411_154753.jpg": ExistingFile(size=5)}
    (g,) = make_plan([a], DATED, UNDATED, existing=other.get).files
    assert g.target.endswith("154753_1.jpg")
    assert g.renamed


def test_plan_of_100k_photos_is_fast() -> None:
    base = datetime(2020, 1, 1, tzinfo=NY)
    sources = [src(i, local=base + timedelta(seconds=i // 3)) for i in range(100_000)]
    start = time.process_time()  # CPU time: the machine running the tests may be busy
    plan = make_plan(sources, DATED, UNDATED)
    assert time.process_time() - start < 5
    assert len({f.target for f in plan.files}) == 100_000


def test_literal_text_and_percent_signs_are_kept() -> None:
    tpl = parse_template("{year} 100%/{name}-x{ext}")
    (f,) = make_plan([src(1)], tpl, UNDATED).files
    assert f.target == "2021 100%/IMG_0001-x.jpg"
