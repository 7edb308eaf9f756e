"""Parses an agent reply: exactly one fenced block holding one call."""

import ast
import re

from aiopslab.utils.status import ResponseParsingError


class ResponseParser:
    def parse(self, response: str) -> dict:
        blocks = re.findall(r"```\s*\n(.*?)\n```", response, re.DOTALL)
        if len(blocks) != 1:
            raise ResponseParsingError("Format validation failure. Only have one pair of three ticks in your block.")
        call = blocks[0].strip()
        try:
            node = ast.parse(call, mode="eval").body
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                raise ValueError("not a call")
            args = [ast.literal_eval(arg) for arg in node.args]
            kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords}
        except (SyntaxError, ValueError) as e:
            raise ResponseParsingError(f"Error parsing response: {e}")
        return {"api_name": node.func.id, "args": args, "kwargs": kwargs, "context": []}
