"""Rendering templates written by users (the region's DOCX and XLSX templates) without running their code.

Two layers, because a template is stored once and rendered many times in every school:

1. ``template_check`` walks the parsed template (no evaluation) and accepts only the placeholders declared
   for its kind (``core.documents.placeholders``), ``{% if %}`` and ``{% for %}`` over declared lists, a few
   harmless filters and tests, comparisons and constants. No calls, no ``_private``/``__dunder__``
   attributes, no ``[…]`` subscripts, no ``set``/``include``/``macro``/…, no ``*``/``**``/``%`` (which
   could build gigabytes from a few bytes), no loops inside loops.
2. ``TemplateSandbox`` is Jinja's ``ImmutableSandboxedEnvironment`` that runs ``template_check`` on every
   source it compiles (docxtpl compiles the body, headers, footers, footnotes and document properties
   separately), with no globals and autoescape on. So a template stored before these rules existed is
   refused when it is rendered, and if the check ever missed something, the sandbox still refuses
   attribute access to Python internals.

A refused template raises ``TemplateRefused``: a ``ValidationError`` for services and forms, and a
``BadRequest`` so a view that does not catch it answers 400 with the message instead of 500.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import BadRequest, ValidationError
from jinja2 import TemplateError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from core.documents.placeholders import LOOP, Group, ListOf, Spec, Value

ALLOWED_FILTERS = frozenset(
    {"upper", "lower", "title", "capitalize", "trim", "default", "d", "e", "escape", "length", "count",
     "first", "last", "join", "round", "int", "string", "truncate"}
)  # fmt: skip
ALLOWED_TESTS = frozenset(
    {"defined", "undefined", "none", "number", "string", "true", "false", "odd", "even", "divisibleby",
     "eq", "ne", "lt", "gt", "le", "ge", "equalto", "in"}
)  # fmt: skip
MAX_CONST_CHARS = 500  # a literal in a template: a separator, a default text, a kind to compare with
MAX_CONST_NUMBER = 10_000  # e.g. truncate(40), round(1)

# The statements a template writer may think of, named as they are written, for the message.
_TAG_NAMES = {
    "Assign": "set", "AssignBlock": "set", "Macro": "macro", "CallBlock": "call", "FilterBlock": "filter",
    "With": "with", "Include": "include", "Import": "import", "FromImport": "from … import",
    "Extends": "extends", "Block": "block", "ExprStmt": "do", "Break": "break", "Continue": "continue",
    "Scope": "scope", "ScopedEvalContextModifier": "autoescape", "EvalContextModifier": "autoescape",
}  # fmt: skip


class TemplateRefused(ValidationError, BadRequest):
    """A template that may not be rendered; the message is written for the person who wrote it."""

    def __str__(self) -> str:
        return " ".join(self.messages)


Entry = Value | Group | ListOf


class _Refuse(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def template_check(source: str | nodes.Template, spec: Spec, *, env: "TemplateSandbox | None" = None) -> None:
    """Refuse (``TemplateRefused``) a template that uses anything but what ``spec`` declares."""
    env = env or TemplateSandbox(spec)
    if isinstance(source, str):
        try:
            tree = env.parse_unchecked(source)
        except TemplateError as error:
            raise TemplateRefused(f"Ошибка в шаблоне документа: {error}", code="template_error") from error
    else:
        tree = source
    _Checker(spec).statements(tree.body, scope={}, in_loop=False)
    # Jinja's own list of free names, as a second opinion on the walk above (it knows Jinja's scoping).
    unknown = sorted(meta.find_undeclared_variables(tree) - set(spec))
    if unknown:
        raise TemplateRefused(f"В шаблоне неизвестное поле «{unknown[0]}».", code="template_placeholder")


class _Checker:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec

    def statements(self, body: list[nodes.Node], *, scope: dict[str, Entry], in_loop: bool) -> None:
        for node in body:
            self.statement(node, scope=scope, in_loop=in_loop)

    def statement(self, node: nodes.Node, *, scope: dict[str, Entry], in_loop: bool) -> None:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    self.top(child, scope, "{{ %s }}")
        elif isinstance(node, nodes.If):
            self.top(node.test, scope, "{%% if %s %%}")
            self.statements(node.body, scope=scope, in_loop=in_loop)
            for branch in node.elif_:
                self.statement(branch, scope=scope, in_loop=in_loop)
            self.statements(node.else_, scope=scope, in_loop=in_loop)
        elif isinstance(node, nodes.For):
            self.for_loop(node, scope=scope, in_loop=in_loop)
        else:
            # «{% autoescape %}» and «{% with %}» come wrapped in a Scope: name what was written.
            shown = node.body[0] if isinstance(node, nodes.Scope) and node.body else node
            tag = _TAG_NAMES.get(type(shown).__name__, type(shown).__name__.lower())
            raise TemplateRefused(
                f"В шаблоне недопустимый тег «{{% {tag} %}}»: можно только «{{% if %}}» и «{{% for %}}».",
                code="template_tag",
            )

    def for_loop(self, node: nodes.For, *, scope: dict[str, Entry], in_loop: bool) -> None:
        shown = "{%% for … in %s %%}"
        if in_loop:
            raise TemplateRefused(
                "В шаблоне цикл внутри цикла: так нельзя — перебирайте список одним циклом.",
                code="template_tag",
            )
        if node.recursive:
            raise TemplateRefused("Рекурсивные циклы в шаблоне не поддерживаются.", code="template_tag")
        if not isinstance(node.target, nodes.Name):
            raise TemplateRefused(
                f"В цикле {shown % _describe(node.iter)} нужна одна переменная.", code="template_tag"
            )
        listed = self.top(node.iter, scope, shown)
        if not isinstance(listed, ListOf):
            lists = ", ".join(name for name, entry in self.spec.items() if isinstance(entry, ListOf))
            raise TemplateRefused(
                f"В шаблоне «{shown % _describe(node.iter)}»: перебирать можно только списки"
                + (f" ({lists})." if lists else ", а в этом шаблоне их нет."),
                code="template_placeholder",
            )
        inner = scope | {node.target.name: listed.item, "loop": LOOP}
        if node.test is not None:
            self.top(node.test, inner, "{%% for … if %s %%}")
        self.statements(node.body, scope=inner, in_loop=True)
        self.statements(node.else_, scope=scope, in_loop=in_loop)

    def top(self, node: nodes.Node, scope: dict[str, Entry], shown: str) -> Entry:
        """Check one expression as written in a tag; the message quotes the whole expression."""
        try:
            return self.expr(node, scope)
        except _Refuse as refusal:
            raise TemplateRefused(
                f"В шаблоне недопустимый плейсхолдер «{shown % _describe(node)}»: {refusal.reason}",
                code="template_placeholder",
            ) from None

    def expr(self, node: nodes.Node, scope: dict[str, Entry]) -> Entry:
        if isinstance(node, nodes.Name):
            entry = scope.get(node.name) or self.spec.get(node.name)
            if entry is None:
                raise _Refuse(f"поля «{node.name}» в этом шаблоне нет.")
            return entry
        if isinstance(node, nodes.Getattr):
            if node.attr.startswith("_"):
                raise _Refuse(f"обращение к служебному атрибуту «{node.attr}» запрещено.")
            base = self.expr(node.node, scope)
            sub = base.fields.get(node.attr) if isinstance(base, Group) else None
            if sub is None:
                raise _Refuse(f"поля «{_describe(node)}» в этом шаблоне нет.")
            return sub
        if isinstance(node, nodes.Const):
            self.const(node.value)
            return Value("константа")
        if isinstance(node, nodes.TemplateData):
            return Value("текст")
        if isinstance(node, (nodes.Filter, nodes.Test)):
            return self.filter_or_test(node, scope)
        if isinstance(node, nodes.Compare):
            self.expr(node.expr, scope)
            for operand in node.ops:
                self.expr(operand.expr, scope)
            return Value("сравнение")
        if isinstance(node, (nodes.And, nodes.Or, nodes.Add, nodes.Sub)):
            self.expr(node.left, scope)
            self.expr(node.right, scope)
            return Value("выражение")
        if isinstance(node, (nodes.Not, nodes.Neg, nodes.Pos)):
            self.expr(node.node, scope)
            return Value("выражение")
        if isinstance(node, nodes.CondExpr):
            self.expr(node.test, scope)
            self.expr(node.expr1, scope)
            if node.expr2 is not None:
                self.expr(node.expr2, scope)
            return Value("выражение")
        if isinstance(node, nodes.Concat):
            for part in node.nodes:
                self.expr(part, scope)
            return Value("выражение")
        if isinstance(node, (nodes.Tuple, nodes.List)):
            for item in node.items:
                self.expr(item, scope)
            return Value("список констант")
        if isinstance(node, nodes.Call):
            raise _Refuse("вызовы функций и методов запрещены.")
        if isinstance(node, (nodes.Getitem, nodes.Slice)):
            raise _Refuse("квадратные скобки запрещены — пишите поле через точку.")
        if isinstance(node, (nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Pow)):
            raise _Refuse("арифметика кроме «+» и «-» запрещена.")
        raise _Refuse("такое выражение в шаблоне не поддерживается.")

    def filter_or_test(self, node: nodes.Filter | nodes.Test, scope: dict[str, Entry]) -> Entry:
        is_filter = isinstance(node, nodes.Filter)
        allowed = ALLOWED_FILTERS if is_filter else ALLOWED_TESTS
        if node.name not in allowed:
            what = "фильтр" if is_filter else "проверка"
            raise _Refuse(
                f"{what} «{node.name}» запрещен{'' if is_filter else 'а'}; можно: {', '.join(sorted(allowed))}."
            )
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            raise _Refuse("«*args» и «**kwargs» запрещены.")
        for argument in [*node.args, *(keyword.value for keyword in node.kwargs)]:
            if not isinstance(argument, nodes.Const):
                raise _Refuse(f"аргументы «{node.name}» могут быть только константами.")
            self.const(argument.value)
        if node.node is None:  # «{% filter %}» blocks are refused as tags before getting here
            raise _Refuse("такое выражение в шаблоне не поддерживается.")
        self.expr(node.node, scope)
        return Value("выражение")

    @staticmethod
    def const(value: Any) -> None:
        if isinstance(value, str) and len(value) > MAX_CONST_CHARS:
            raise _Refuse(f"строка длиннее {MAX_CONST_CHARS} знаков.")
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, (int, float)):
            if abs(value) > MAX_CONST_NUMBER:
                raise _Refuse(f"число больше {MAX_CONST_NUMBER}.")
            return
        if not isinstance(value, str):
            raise _Refuse("такая константа не поддерживается.")


def _describe(node: nodes.Node | None) -> str:
    """The expression as the writer typed it, near enough to find it in the document."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_describe(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{_describe(node.node)}[{_describe(node.arg)}]"
    if isinstance(node, nodes.Call):
        return f"{_describe(node.node)}()"
    if isinstance(node, nodes.Filter):
        return f"{_describe(node.node)}|{node.name}"
    if isinstance(node, nodes.Test):
        return f"{_describe(node.node)} is {node.name}"
    if isinstance(node, nodes.Const):
        return repr(node.value)
    if isinstance(node, nodes.BinExpr):
        return f"{_describe(node.left)} {node.operator} {_describe(node.right)}"
    if isinstance(node, nodes.Compare):
        return " ".join([_describe(node.expr), *(f"{op.op} {_describe(op.expr)}" for op in node.ops)])
    return "…"


def _refuse_operator(*_args: Any) -> Any:
    raise SecurityError("operator refused in user templates")


class TemplateSandbox(ImmutableSandboxedEnvironment):
    """The environment every user-supplied template is compiled in; ``spec`` is what it may mention."""

    # Intercepting these stops Jinja from folding «'a' * 10**12» into a constant at compile time; the check
    # refuses them anyway, and at run time they fail.
    intercepted_binops = frozenset({"*", "/", "//", "%", "**"})

    def __init__(self, spec: Spec, *, autoescape: bool = True, finalize: Callable[[Any], Any] | None = None):
        super().__init__(autoescape=autoescape, finalize=finalize)
        self.spec = spec
        self.globals.clear()  # no range, cycler, joiner, lipsum, namespace, dict
        self.filters = {name: f for name, f in self.filters.items() if name in ALLOWED_FILTERS}
        self.tests = {name: t for name, t in self.tests.items() if name in ALLOWED_TESTS}
        self.binop_table = {**self.binop_table, **dict.fromkeys(self.intercepted_binops, _refuse_operator)}

    def parse_unchecked(self, source: str) -> nodes.Template:
        return super()._parse(source, None, None)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        # Every compile goes through here, so nothing unchecked is ever turned into code.
        tree = super()._parse(source, name, filename)
        template_check(tree, self.spec, env=self)
        return tree


def sandbox_render(source: str, context: Mapping[str, Any], env: TemplateSandbox) -> str:
    """Render one template string (e.g. an XLSX cell), with every failure as ``TemplateRefused``."""
    try:
        return env.from_string(source).render(context)
    except TemplateRefused:
        raise
    except TemplateError as error:  # SecurityError and UndefinedError included
        raise TemplateRefused(f"Ошибка в шаблоне: {error}", code="template_error") from error
    # Allowed syntax can still fail on real values: «{{ name - 1 }}», «divisibleby 0».
    except (ArithmeticError, TypeError, ValueError) as error:
        raise TemplateRefused(f"Ошибка в шаблоне: {error}", code="template_error") from error
