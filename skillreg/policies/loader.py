"""Reading and validating the policy-pack files.

A broken pack must stop start-up with a message a maintainer can act on: the file, the
key path (dotted, e.g. ``clocks.material_check.workdays``) and the reason, in Chinese.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ImproperlyConfigured
from pydantic import ValidationError

from skillreg.policies.schema import Pack, SourceError

PACK_SUFFIXES = (".yaml", ".yml")


class PackError(ImproperlyConfigured):
    """A policy pack that cannot be used. ``errors`` lists every (path, reason) found."""

    def __init__(self, file: Path | str, path: str, reason: str,
                 errors: list[tuple[str, str]] | None = None) -> None:
        self.file = str(file)
        self.path = path
        self.reason = reason
        self.errors = errors or [(path, reason)]
        lines = [f"政策包文件 {self.file} 有误："]
        lines += [f"  {p or '（顶层）'}：{r}" for p, r in self.errors]
        super().__init__("\n".join(lines))


class PackRegistry(Mapping[str, Pack]):
    """The loaded packs by id, in seed order."""

    def __init__(self, packs: list[Pack]) -> None:
        self._packs = {p.id: p for p in sorted(packs, key=lambda p: p.seed)}

    def __getitem__(self, pack_id: str) -> Pack:
        return self._packs[pack_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._packs)

    def __len__(self) -> int:
        return len(self._packs)

    def all(self) -> list[Pack]:
        return list(self._packs.values())


# The C parser when PyYAML was built with libyaml: several times faster at start-up.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """PyYAML keeps the last of two equal keys; in a pack that silently loses a rule."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"重复的键“{key}”", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _yaml_reason(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark is not None else "位置未知"
    return f"YAML 语法错误（{where}）：{problem}"


_REASONS = {
    "missing": "缺少必填的键（文件未规定的项也须写出，值为 null 并加 note）",
    "extra_forbidden": "未定义的键（政策包不接受未知的键，请检查拼写）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "string_type": "应为字符串",
    "bool_type": "应为布尔值（true/false）",
    "bool_parsing": "应为布尔值（true/false）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "list_type": "应为列表",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "string_pattern_mismatch": "格式不符合要求",
    "string_too_short": "不能为空",
    "too_short": "不能为空列表",
}


def _pydantic_reason(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        reason = str(ctx.get("error", error["msg"]))
    elif kind == "literal_error":
        reason = f"取值应为 {ctx.get('expected', '')} 之一"
    elif kind in ("greater_than_equal", "greater_than"):
        reason = f"应不小于 {ctx.get('ge', ctx.get('gt'))}"
    elif kind in ("less_than_equal", "less_than"):
        reason = f"应不大于 {ctx.get('le', ctx.get('lt'))}"
    else:
        reason = _REASONS.get(kind, error["msg"])
    value = error.get("input")
    if kind not in ("missing", "extra_forbidden") and isinstance(value, str | int | float | bool):
        reason += f"（实际为：{value!r}）"
    return reason


def load_pack_file(path: Path) -> Pack:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(path, "", f"无法读取文件：{exc}") from exc
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PackError(path, f"第 {mark.line + 1} 行" if mark else "", _yaml_reason(exc)) from exc
    if not isinstance(data, dict):
        raise PackError(path, "", "文件内容应为一个映射（id、title、clauses ……）")
    try:
        return Pack.model_validate(data)
    except ValidationError as exc:
        errors = [
            (".".join(str(p) for p in err["loc"]), _pydantic_reason(err)) for err in exc.errors()
        ]
        raise PackError(path, errors[0][0], errors[0][1], errors) from exc
    except SourceError as exc:
        raise PackError(path, exc.path, exc.reason) from exc


def load_packs(directory: Path | str) -> PackRegistry:
    """Load and validate every pack in ``directory``; the first broken one raises."""
    directory = Path(directory)
    if not directory.is_dir():
        raise PackError(directory, "", "政策包目录不存在")
    files = sorted(p for p in directory.iterdir() if p.suffix in PACK_SUFFIXES and p.is_file())
    if not files:
        raise PackError(directory, "", "政策包目录中没有任何 .yaml 文件")
    packs: list[Pack] = []
    origin: dict[str, Path] = {}
    for path in files:
        pack = load_pack_file(path)
        if pack.id in origin:
            raise PackError(path, "id", f"政策包 id“{pack.id}”与 {origin[pack.id].name} 重复")
        origin[pack.id] = path
        packs.append(pack)
    return PackRegistry(packs)
