"""Every kind of photo a teacher may have, and every bad file: loaded right or refused in
one line, in-process (load_rgb) and through the real ``attendance enroll`` command."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import SHARED, cli, copy_home, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from attendance.core.errors import ImageError
from attendance.recognition.imaging import MAX_PIXELS, load_rgb

SMALL = SHARED / "photos" / "alex-lacamoire.png"  # 424x394 RGBA, one face of ~155 px


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` RGB pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + _png_chunk(b"IEND", b"")


def upright() -> Image.Image:
    """The reference photo as RGB (alpha composited on white, as load_rgb does)."""
    with Image.open(SMALL) as img:
        rgba = img.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")


def rotated_with_tag(path: Path, tag: bool) -> Path:
    """Save the photo's pixels turned a quarter; with ``tag`` the EXIF Orientation (6 =
    "turn 90 degrees clockwise to view") makes the upright view the original."""
    turned = upright().transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    if tag:
        exif[0x0112] = 6
    turned.save(path, "JPEG", quality=95, exif=exif.tobytes())
    return path


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The reference face saved in every format and mode that must load."""
    folder = tmp_path_factory.mktemp("good")
    src = upright()
    files: dict[str, Path] = {}

    def save(name: str, img: Image.Image, **kw: Any) -> None:
        files[name] = folder / name
        img.save(files[name], **kw)

    save("gray.png", src.convert("L"))
    save("palette.png", src.convert("P"))
    save("gray16.png", Image.fromarray(np.asarray(src.convert("L"), np.uint16) * 257))
    save("cmyk.jpg", src.convert("CMYK"), quality=95)
    save("la.png", src.convert("LA"))
    save("face.webp", src, lossless=True)
    save("face.bmp", src)
    save("anim.gif", src.convert("P"), save_all=True, append_images=[Image.new("P", src.size, 0)], duration=100, loop=0)
    files["rgba.png"] = SMALL
    files["exif_rotated.jpg"] = rotated_with_tag(folder / "exif_rotated.jpg", tag=True)
    files["rotated_no_tag.jpg"] = rotated_with_tag(folder / "rotated_no_tag.jpg", tag=False)
    return files


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Files that must be refused, each with a clear one-line error."""
    folder = tmp_path_factory.mktemp("bad")
    jpeg = (SHARED / "photos" / "obama-240p.jpg").read_bytes()
    png = SMALL.read_bytes()
    rng = np.random.default_rng(7)
    contents = {
        "empty.jpg": b"",
        "truncated.jpg": jpeg[: len(jpeg) // 2],
        "truncated.png": png[: len(png) // 2],
        "notes.jpg": b"These are my lesson notes, not a photo.\n",
        "bomb.png": png_claiming(100_000, 100_000),
        "header_only.png": png[:40],
    }
    files = {}
    for name, data in contents.items():
        files[name] = folder / name
        files[name].write_bytes(data)
    files["huge.png"] = folder / "huge.png"
    Image.new("L", (8000, 7000)).save(files["huge.png"])  # 56 MP: under Pillow's bomb limit, over ours
    files["noise.png"] = folder / "noise.png"
    Image.fromarray(rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)).save(files["noise.png"])
    files["wall.jpg"] = folder / "wall.jpg"
    Image.new("RGB", (640, 480), (200, 180, 160)).save(files["wall.jpg"])
    return files


# ----- in-process: load_rgb --------------------------------------------------------

@pytest.mark.parametrize("name", ["gray.png", "palette.png", "gray16.png", "cmyk.jpg", "la.png", "face.webp", "face.bmp",
                                  "anim.gif", "rgba.png", "exif_rotated.jpg"])
def test_every_format_loads_as_upright_rgb(good: dict[str, Path], name: str) -> None:
    rgb = load_rgb(good[name])
    src = upright()
    # What the pixels must be: the same conversion done by hand (grey stays grey, the
    # palette's quantisation stays); lossy JPEG/CMYK only approximately.
    ref_img = {"gray.png": src.convert("L"), "gray16.png": src.convert("L"), "la.png": src.convert("L"),
               "palette.png": src.convert("P"), "anim.gif": src.convert("P")}.get(name, src)
    ref = np.asarray(ref_img.convert("RGB"), dtype=np.int16)
    assert rgb.dtype == np.uint8 and rgb.flags.c_contiguous and rgb.shape == ref.shape
    tolerance = 3.0 if name.endswith(".jpg") else 0.0
    assert np.abs(rgb.astype(np.int16) - ref).mean() <= tolerance


def test_animated_gif_uses_the_first_frame(good: dict[str, Path]) -> None:
    with Image.open(good["anim.gif"]) as img:
        assert img.n_frames == 2
    first = np.asarray(upright().convert("P").convert("RGB"))
    assert np.array_equal(load_rgb(good["anim.gif"]), first)  # not the black second frame


def test_exif_orientation_is_applied(good: dict[str, Path]) -> None:
    with_tag, without = load_rgb(good["exif_rotated.jpg"]), load_rgb(good["rotated_no_tag.jpg"])
    assert with_tag.shape == np.asarray(upright()).shape
    assert without.shape == with_tag.shape[1::-1] + (3,)
    assert np.array_equal(np.rot90(without, -1), with_tag)


@pytest.mark.parametrize("name,expect", [
    ("empty.jpg", "empty"), ("truncated.jpg", "truncated"), ("truncated.png", "truncated"),
    ("notes.jpg", "not an image"), ("bomb.png", "decompression bomb"), ("header_only.png", "truncated"),
    ("huge.png", "too large"),
])
def test_bad_files_raise_one_line_image_error(bad: dict[str, Path], name: str, expect: str) -> None:
    with pytest.raises(ImageError) as err:
        load_rgb(bad[name])
    message = str(err.value)
    assert message.startswith(name) and expect in message and "\n" not in message


def test_limits_and_odd_paths(tmp_path: Path) -> None:
    assert Image.MAX_IMAGE_PIXELS is not None and MAX_PIXELS < Image.MAX_IMAGE_PIXELS  # ours refuses before Pillow's warning threshold
    for path, expect in ((tmp_path / "missing.jpg", "no such file"), (tmp_path, "not a file")):
        with pytest.raises(ImageError, match=expect):
            load_rgb(path)
    odd = tmp_path / "line\nbreak.jpg"
    odd.write_bytes(b"nope")
    with pytest.raises(ImageError) as err:
        load_rgb(odd)
    assert "\n" not in str(err.value) and "'line\\nbreak.jpg'" in str(err.value)


def _encoded(fmt: str) -> bytes:
    out = io.BytesIO()
    upright().resize((96, 88)).save(out, fmt)
    return out.getvalue()


SAMPLES = {fmt: _encoded(fmt) for fmt in ("JPEG", "PNG", "GIF", "BMP", "WEBP", "TIFF")}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fmt=st.sampled_from(sorted(SAMPLES)), cut=st.floats(0, 1), flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=8))
def test_damaged_files_never_escape_as_other_errors(tmp_path: Path, fmt: str, cut: float, flips: list[tuple[float, int]]) -> None:
    """Any truncation or byte corruption of a real image: an RGB array or one ImageError line."""
    data = bytearray(SAMPLES[fmt][: max(1, int(len(SAMPLES[fmt]) * cut))])
    for where, value in flips:
        data[min(len(data) - 1, int(where * len(data)))] = value
    path = tmp_path / f"fuzz.{fmt.lower()}"
    path.write_bytes(bytes(data))
    try:
        rgb = load_rgb(path)
    except ImageError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(path.name)
    else:
        assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3


# ----- through the real command ------------------------------------------------------

@pytest.mark.parametrize("name,expect", [
    ("empty.jpg", "empty"), ("truncated.jpg", "truncated"), ("truncated.png", "truncated"),
    ("notes.jpg", "not an image"), ("bomb.png", "decompression bomb"), ("huge.png", "too large"),
    ("noise.png", "no face"), ("wall.jpg", "no face"),
])
def test_enroll_refuses_bad_file_in_one_line_and_loses_nothing(bad: dict[str, Path], lin_alex_home: Path, tmp_path: Path,
                                                               name: str, expect: str) -> None:
    home = copy_home(lin_alex_home, tmp_path / "home")
    store = home / "known_faces" / "gallery.npz"
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    proc = cli("enroll", str(bad[name]), "--name", "Someone New", "--jitters", "1", home=home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"attendance: error: {name}: ") and expect in lines[0], proc.stderr
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in (home / "known_faces" / "thumbs").iterdir()) == sorted(p.name for p in (lin_alex_home / "known_faces" / "thumbs").iterdir())


def test_enroll_refuses_two_faces_naming_the_file(lin_alex_home: Path, tmp_path: Path) -> None:
    home = copy_home(lin_alex_home, tmp_path / "home")
    proc = cli("enroll", str(SHARED / "photos" / "two_people.jpg"), "--name", "X", "--jitters", "1", home=home)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == ("attendance: error: two_people.jpg: 2 faces found; an enrollment photo must show "
                                   "exactly one person (crop it)")
    assert "X" not in cli("roster", home=home, check=True).stdout.split()


def test_every_format_enrolls_in_one_bulk_run(good: dict[str, Path], tmp_path: Path) -> None:
    """RGBA, grayscale, palette, 16-bit, CMYK, LA, WebP, BMP, animated GIF, an EXIF-rotated
    JPEG and the same pixels with no tag: all enroll, all encodings of the same face."""
    folder = tmp_path / "class"
    folder.mkdir()
    for name, path in good.items():
        (folder / f"{name.replace('.', '_')}{path.suffix}").symlink_to(path)
    home = tmp_path / "home"
    home.mkdir()
    # a real process: the warnings logged by its encoding workers reach its stderr
    proc = run_cli("enroll", str(folder), "--jitters", "1", home=home)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"{len(good)} photos of {len(good)} people: {len(good)} added, 0 updated, 0 unchanged, 0 failed" in proc.stdout
    assert "rotated_no_tag_jpg.jpg: the photo lies on its side" in proc.stderr
    with np.load(home / "known_faces" / "gallery.npz") as data:
        enc = data["encodings"]
    spread = np.linalg.norm(enc[:, None, :] - enc[None, :, :], axis=2)
    assert len(enc) == len(good) and spread.max() < 0.3  # same face whatever the file format
