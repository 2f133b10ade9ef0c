"""YAML for configurations: written without anchors and aliases, and read with aliases refused."""

from __future__ import annotations

from typing import Any

import yaml


class _NoAliasDumper(yaml.SafeDumper):
    """Writes a value shared by two keys out twice, never as an anchor and alias (which loading refuses)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(document: Any) -> str:
    """A configuration document as YAML that :func:`loads_configuration` accepts (no aliases)."""
    return yaml.dump(
        document,
        Dumper=_NoAliasDumper,
        sort_keys=False,
        allow_unicode=True,
        width=110,
        default_flow_style=None,
    )


class AliasRefused(yaml.composer.ComposerError):
    """A YAML alias where none is allowed."""


class NoAliasLoader(yaml.SafeLoader):
    """YAML's safe subset without anchors and aliases.

    A few lines of nested aliases expand to gigabytes ("billion laughs"); a configuration never needs one.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # types-PyYAML leaves it untyped
            raise AliasRefused(None, None, "aliases are not allowed", event.start_mark)
        return super().compose_node(parent, index)
