"""Loading damaged or foreign files fails with a clear error naming the file."""

from __future__ import annotations

import os
import pathlib
import re
import zipfile

import keras
import numpy as np
import pytest

import keras_seqgan
from keras_seqgan.models import Generator
from keras_seqgan.saving import load_model, save_model


@pytest.fixture(scope="module")
def good_file(tmp_path_factory):
    keras.utils.set_random_seed(0)
    generator = Generator(vocabulary_size=10, sequence_length=5, embedding_dim=4, hidden_dim=4)
    path = tmp_path_factory.mktemp("good") / "generator.keras"
    save_model(generator, path)
    return path, [np.asarray(w) for w in generator.weights]


def write_zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def members_of(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_good_file_loads(good_file):
    path, weights = good_file
    loaded = load_model(path)
    assert isinstance(loaded, Generator)
    for expected, variable in zip(weights, loaded.weights, strict=True):
        np.testing.assert_array_equal(expected, np.asarray(variable))
    assert isinstance(load_model(str(path), compile=False), Generator)


def _truncated_half(good, path):
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])


def _truncated_end(good, path):
    path.write_bytes(good.read_bytes()[:-100])  # the zip directory is at the end


def _empty(good, path):
    path.write_bytes(b"")


def _text(good, path):
    path.write_text("not a model\n")


def _foreign_zip(good, path):
    write_zip(path, {"notes.txt": "hello"})


def _config_without_weights(good, path):
    members = members_of(good)
    write_zip(path, {"config.json": members["config.json"]})


def _weights_without_config(good, path):
    members = members_of(good)
    write_zip(path, {"model.weights.h5": members["model.weights.h5"]})


def _bad_config(good, path):
    members = members_of(good)
    members["config.json"] = b"{not json"
    write_zip(path, members)


def _unknown_class(good, path):
    members = members_of(good)
    members["config.json"] = members["config.json"].replace(b"Generator", b"NoSuchModel")
    write_zip(path, members)


def _garbage_weights(good, path):
    members = members_of(good)
    members["model.weights.h5"] = b"garbage, not HDF5"
    write_zip(path, members)


def _flipped_byte(good, path):
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo("model.weights.h5")
    # Local header: 30 bytes + name + extra field, then the member's data.
    data_start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[data_start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage, match",
    [
        (_truncated_half, "not a zip archive"),
        (_truncated_end, "not a zip archive"),
        (_empty, "not a zip archive"),
        (_text, "not a zip archive"),
        (_foreign_zip, "not a Keras model file; it lacks config.json, model.weights.h5"),
        (_config_without_weights, "lacks model.weights.h5"),
        (_weights_without_config, "lacks config.json"),
        (_bad_config, "JSONDecodeError"),
        (_unknown_class, "Keras failed to rebuild"),
        (_garbage_weights, "Keras failed to rebuild"),
        (_flipped_byte, "is corrupt"),
    ],
)
def test_damaged_files_raise_a_value_error_naming_the_file(good_file, tmp_path, damage, match):
    good, _ = good_file
    path = tmp_path / f"{damage.__name__.strip('_')}.keras"
    damage(good, path)
    with pytest.raises(ValueError, match=re.escape(repr(str(path)))) as info:
        load_model(path)
    assert re.search(re.escape(match), str(info.value)), str(info.value)


def test_keras_own_errors_for_the_same_files_are_unclear(good_file, tmp_path):
    # Why `load_model` exists: Keras calls a truncated file "not found", and a foreign
    # zip gives a KeyError that does not name the file. If Keras improves, relax this.
    good, _ = good_file
    truncated = tmp_path / "truncated.keras"
    _truncated_half(good, truncated)
    with pytest.raises(Exception) as info:
        keras.models.load_model(truncated)
    assert "not a zip archive" not in str(info.value)
    foreign = tmp_path / "foreign.keras"
    _foreign_zip(good, foreign)
    with pytest.raises(Exception) as info:
        keras.models.load_model(foreign)
    assert "foreign.keras" not in str(info.value)


def test_missing_file_folder_and_wrong_path_types(tmp_path):
    missing = tmp_path / "missing.keras"
    with pytest.raises(FileNotFoundError, match="missing.keras"):
        load_model(missing)
    with pytest.raises(ValueError, match="is a folder"):
        load_model(tmp_path)
    other = tmp_path / "model.h5"
    other.write_bytes(b"x")
    with pytest.raises(ValueError, match=r"model\.h5.*must end with '\.keras'"):
        load_model(other)
    for bad in (None, 3, b"model.keras"):
        with pytest.raises(TypeError, match="path"):
            load_model(bad)


def test_save_model_refuses_a_missing_folder(tmp_path):
    generator = Generator(vocabulary_size=10, sequence_length=5, embedding_dim=4, hidden_dim=4)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_model(generator, tmp_path / "no" / "such" / "folder" / "g.keras")


_UNSAFE = re.compile(
    r"\bimport pickle\b|\bpickle\.|\bcloudpickle\b|\bdill\b|\bmarshal\b|\bshelve\b"
    r"|safe_mode\s*=\s*False|allow_pickle\s*=\s*True|enable_unsafe_deserialization"
)


# The one sanctioned pickle: the SeqGAN authors' oracle file, read by an unpickler that
# admits only NumPy arrays (`OracleLSTM.from_seqgan_params`; its refusal is tested in
# tests/test_data_oracle.py). These lines of that file may name `pickle`, nothing else.
_SANCTIONED = {
    "data/oracle.py": re.compile(
        r"^import pickle$|^class _ArrayUnpickler\(pickle\.Unpickler\):$"
        r"|^raise pickle\.UnpicklingError\($|^except \(pickle\.UnpicklingError, "
    )
}


def test_the_package_never_unpickles_or_disables_safe_mode():
    root = pathlib.Path(os.path.dirname(keras_seqgan.__file__))
    sources = sorted(root.rglob("*.py"))
    assert len(sources) > 10
    offending = [
        f"{source.relative_to(root)}:{number}: {line.strip()}"
        for source in sources
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1)
        if _UNSAFE.search(line)
        and not (
            source.relative_to(root).as_posix() in _SANCTIONED
            and _SANCTIONED[source.relative_to(root).as_posix()].search(line.strip())
        )
    ]
    assert offending == []


def test_atomic_writes_leave_no_temporary_and_get_ordinary_permissions(tmp_path):
    from keras_seqgan.saving import atomic_path, write_text

    umask = os.umask(0o022)
    try:
        write_text(tmp_path / "a.txt", "hello\n")
        with pytest.raises(RuntimeError):
            with atomic_path(tmp_path / "a.txt") as temporary:
                pathlib.Path(temporary).write_text("half")
                raise RuntimeError("killed mid-write")
    finally:
        os.umask(umask)
    assert (tmp_path / "a.txt").read_text() == "hello\n"  # the good file survived
    assert os.listdir(tmp_path) == ["a.txt"]
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644  # as open() would make it
