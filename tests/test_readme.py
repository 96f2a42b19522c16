import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_variable_the_settings_read_is_documented_in_the_readme():
    settings_source = (ROOT / "ime_portal" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\(\))?\.\w+\(\s*"([A-Z][A-Z0-9_]+)"', settings_source))
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", readme, flags=re.MULTILINE))
    documented |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", readme))
    assert read, "the settings read no variables?"
    assert read <= documented, f"undocumented settings: {sorted(read - documented)}"


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [line for line in ci.splitlines() if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert commands == ["make test"]
    assert "make test" in (ROOT / "README.md").read_text()
