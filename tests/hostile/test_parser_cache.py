"""The parser's cached tables are a pickle, and unpickling runs code: a cache
file another user could have written (the shared temp folder, a folder or file
others can write, a symlink, someone else's file) must never be loaded."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import pytest

from hostile.conftest import ROOT, guard

from roledoctor.inputs import hcl, read

OLD_NAME = "roledoctor-hcl2-6.1.1-lark-1.3.1.cache"  # where the tables used to be, in the temp folder
OTHER_UID = 65534  # nobody


class _Plant:
    """Unpickling this creates the marker file: proof that planted code ran."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def plant(path: str, marker: str, real_head: bytes) -> None:
    """A cache file as an attacker would write it: the real first line (they
    can read or rebuild it), then a pickle that runs their code."""
    payload = pickle.dumps(_Plant(marker))
    with open(path, "wb") as f:
        f.write(real_head + payload + payload)


@pytest.fixture(scope="module")
def real_head(tmp_path_factory) -> bytes:
    d = tmp_path_factory.mktemp("real", numbered=True)
    os.chmod(d, 0o700)
    path = hcl.build_lark_cache(str(d / "tables"))
    with open(path, "rb") as f:
        return f.readline()


@pytest.fixture
def fresh_parser():
    """Forget the parser this process built; put everything back afterwards."""
    saved = hcl.LARK_CACHE, hcl._PARSER, hcl._PARSER_CACHE_PATH
    hcl._PARSER = None
    yield
    hcl.LARK_CACHE, hcl._PARSER, hcl._PARSER_CACHE_PATH = saved


def _parse_ok():
    recs = read("p.tf", 'provider "aws" {\n  region = "eu-west-1"\n}\n')
    assert [r.kind for r in recs] == ["provider"]


def test_a_pickle_planted_in_the_temp_folder_is_not_loaded(tmp_path, real_head):
    shared, home = tmp_path / "tmp", tmp_path / "home"
    shared.mkdir()
    home.mkdir()
    os.chmod(shared, 0o1777)
    marker = tmp_path / "PWNED"
    plant(str(shared / OLD_NAME), str(marker), real_head)
    env = {k: v for k, v in os.environ.items() if k != "XDG_CACHE_HOME"}
    env.update(TMPDIR=str(shared), TEMP=str(shared), TMP=str(shared), HOME=str(home))
    code = ("from roledoctor.inputs import read; "
            "print([r.kind for r in read('p.tf', 'provider \"aws\" {\\n  region = \"x\"\\n}\\n')])")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "provider" in proc.stdout
    assert not marker.exists(), "the planted pickle ran"


def _shared_dir(tmp_path):
    d = tmp_path / "world-writable"
    d.mkdir()
    os.chmod(d, 0o777)
    return d


def _private_dir(tmp_path):
    d = tmp_path / "private"
    d.mkdir()
    os.chmod(d, 0o700)
    return d


def _world_writable_folder(tmp_path, marker, head):
    path = _shared_dir(tmp_path) / "tables"
    plant(str(path), marker, head)
    os.chmod(path, 0o600)
    return path


def _world_writable_file(tmp_path, marker, head):
    path = _private_dir(tmp_path) / "tables"
    plant(str(path), marker, head)
    os.chmod(path, 0o666)
    return path


def _group_writable_file(tmp_path, marker, head):
    path = _private_dir(tmp_path) / "tables"
    plant(str(path), marker, head)
    os.chmod(path, 0o620)
    return path


def _symlink_to_a_shared_file(tmp_path, marker, head):
    target = _shared_dir(tmp_path) / "evil"
    plant(str(target), marker, head)
    path = _private_dir(tmp_path) / "tables"
    os.symlink(target, path)
    return path


def _symlinked_folder(tmp_path, marker, head):
    shared = _shared_dir(tmp_path)
    plant(str(shared / "tables"), marker, head)
    link = tmp_path / "cache"
    os.symlink(shared, link)
    return link / "tables"


def _file_of_another_user(tmp_path, marker, head):
    if os.geteuid() != 0:
        pytest.skip("needs root to give a file to another user")
    path = _private_dir(tmp_path) / "tables"
    plant(str(path), marker, head)
    os.chmod(path, 0o644)
    os.chown(path, OTHER_UID, OTHER_UID)
    return path


def _folder_of_another_user(tmp_path, marker, head):
    if os.geteuid() != 0:
        pytest.skip("needs root to give a folder to another user")
    d = _private_dir(tmp_path)
    path = d / "tables"
    plant(str(path), marker, head)
    os.chmod(d, 0o755)
    os.chown(d, OTHER_UID, OTHER_UID)
    return path


def _fifo(tmp_path, marker, head):
    path = _private_dir(tmp_path) / "tables"
    os.mkfifo(path, 0o600)  # opening it for reading would wait for a writer forever
    return path


PLANTS = [_world_writable_folder, _world_writable_file, _group_writable_file, _symlink_to_a_shared_file,
          _symlinked_folder, _file_of_another_user, _folder_of_another_user, _fifo]


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX owners and modes")
@pytest.mark.parametrize("make", PLANTS, ids=lambda f: f.__name__.strip("_"))
def test_a_cache_someone_else_could_write_is_not_loaded(tmp_path, make, real_head, fresh_parser):
    marker = tmp_path / "PWNED"
    hcl.LARK_CACHE = str(make(tmp_path, str(marker), real_head))
    with guard(f"parse with {make.__name__}", limit=30):
        _parse_ok()
    assert not marker.exists(), "the planted pickle ran"


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX owners and modes")
def test_the_own_cache_is_private_and_reused(tmp_path, fresh_parser, monkeypatch):
    hcl.LARK_CACHE = str(tmp_path / "cache" / "roledoctor" / "tables")
    _parse_ok()
    assert os.stat(tmp_path / "cache" / "roledoctor").st_mode & 0o777 == 0o700
    assert os.stat(hcl.LARK_CACHE).st_mode & 0o777 == 0o600
    hcl._PARSER = None
    monkeypatch.setattr(hcl, "_new_parser", lambda grammar: pytest.fail("rebuilt instead of loaded"))
    _parse_ok()
