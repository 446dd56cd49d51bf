"""Model components in .github/releaser.yml: type, strict, model-bumps, GTO tags."""

from __future__ import annotations

import json

import pytest

from releaser import config
from releaser.domain.bump import Bump
from releaser.domain.model_bump import DEFAULT_BUMPS
from releaser.errors import ConfigError


def load_text(tmp_path, text: str):
    path = tmp_path / "releaser.yml"
    path.write_text(text)
    return config.load(path, tmp_path, explicit=True)


def test_a_model_component_has_gto_tags_and_its_options(tmp_path):
    cfg = load_text(
        tmp_path,
        """components:
  - name: churn
    path: models/churn
    type: model
    strict: true
    model-bumps: {retrained: minor, metric-regressed: major}
  - {name: api, path: services/api}
""",
    )
    churn, api = cfg.components
    assert churn.policy.tag_prefix == "churn@v"
    assert churn.policy.tag_for("1.3.0") == "churn@v1.3.0"
    assert churn.model is not None and churn.model.strict is True
    assert churn.model.overrides == {"retrained": Bump.MINOR, "metric-regressed": Bump.MAJOR}
    assert api.model is None and api.policy.tag_prefix == "api-v"


def test_a_model_component_keeps_a_tag_prefix_override(tmp_path):
    cfg = load_text(
        tmp_path,
        "components:\n  - {name: churn, path: models/churn, type: model, tag-prefix: churn/v}\n",
    )
    (churn,) = cfg.components
    assert churn.policy.tag_prefix == "churn/v"
    assert churn.model is not None and churn.model.strict is False
    assert churn.model.overrides == {}


@pytest.mark.parametrize(
    "entry, expected",
    [
        pytest.param(
            "{name: churn, path: m, type: model, model-bumps: {retrain: minor}}",
            "releaser.yml:2: components[0].model-bumps: unknown key 'retrain'",
            id="unknown-rule-id",
        ),
        pytest.param(
            "{name: churn, path: m, type: model, model-bumps: {retrained: huge}}",
            "releaser.yml:2: components[0].model-bumps.retrained: 'huge' is not one of",
            id="bad-bump-name",
        ),
        pytest.param(
            "{name: churn, path: m, type: weights}",
            "releaser.yml:2: components[0].type: 'weights' is not one of",
            id="unknown-type",
        ),
        pytest.param(
            "{name: api, path: m, strict: true}",
            "releaser.yml:2: components[0].strict: only a component of type: model takes it",
            id="strict-on-code",
        ),
        pytest.param(
            "{name: api, path: m, type: code, model-bumps: {retrained: minor}}",
            "releaser.yml:2: components[0].model-bumps: only a component of type: model",
            id="model-bumps-on-code",
        ),
    ],
)
def test_bad_model_options_are_config_errors_with_a_line(tmp_path, entry, expected):
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, f"components:\n  - {entry}\n")
    assert info.value.exit_code == 2
    assert info.value.message.startswith(f"{tmp_path}/{expected}"), info.value.message


def test_the_schema_names_every_rule_id_and_only_those():
    item = config.schema()["properties"]["components"]["items"]
    assert set(item["properties"]["model-bumps"]["properties"]) == set(DEFAULT_BUMPS)


def test_the_schema_file_is_valid_json_schema():
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(config.schema())
    assert json.dumps(config.schema())


def test_the_readme_rule_table_matches_the_defaults():
    import re
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("## Model releases", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| (major|minor|patch) \|", section, re.M))
    assert rows == {rule: bump.label for rule, bump in DEFAULT_BUMPS.items()}
