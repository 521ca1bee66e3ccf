"""``{% extends %}`` that finds the root layout's blocks once, not on every page.

Django's tag walks the whole root template (``base.html``: every node, every branch of every ``if``)
on each render to list its blocks, although a compiled template never changes: about a tenth of a
learner page's rendering. This tag remembers the list per compiled template; the cached loader
compiles a template again after an edit (development's autoreload), and a new template object starts
afresh. Parsing and inheritance are Django's. Loaded as a builtin (settings ``TEMPLATES``).
"""

from __future__ import annotations

import weakref

from django import template
from django.template.base import Template, TextNode
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockContext, BlockNode, ExtendsNode, do_extends

register = template.Library()

# Per compiled template: its blocks when it is a root (extends nothing), None when it extends another.
_root_blocks: weakref.WeakKeyDictionary[Template, dict[str, BlockNode] | None] = weakref.WeakKeyDictionary()


def root_blocks(compiled: Template) -> dict[str, BlockNode] | None:
    try:
        return _root_blocks[compiled]
    except KeyError:
        pass
    blocks = None
    for node in compiled.nodelist:
        if not isinstance(node, TextNode):  # the extends tag, if any, is the first node that is not text
            if not isinstance(node, ExtendsNode):
                blocks = {block.name: block for block in compiled.nodelist.get_nodes_by_type(BlockNode)}
            break
    _root_blocks[compiled] = blocks
    return blocks


class ExtendsNodeWithRootBlocks(ExtendsNode):
    def render(self, context) -> str:
        # Django's ExtendsNode.render, with the root's blocks remembered (BlockContext copies them).
        compiled_parent = self.get_parent(context)
        if BLOCK_CONTEXT_KEY not in context.render_context:
            context.render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        block_context = context.render_context[BLOCK_CONTEXT_KEY]
        block_context.add_blocks(self.blocks)
        blocks = root_blocks(compiled_parent)
        if blocks is not None:
            block_context.add_blocks(blocks)
        with context.render_context.push_state(compiled_parent, isolated_context=False):
            return compiled_parent._render(context)


@register.tag
def extends(parser, token) -> ExtendsNodeWithRootBlocks:
    node = do_extends(parser, token)
    return ExtendsNodeWithRootBlocks(node.nodelist, node.parent_name)
