"""Reads config.yml (a flat `key: value` YAML subset is enough for the stand-in)."""

import json


class Config:
    def __init__(self, config_path):
        self.config_path = config_path
        self.config = self._load_config()

    def _load_config(self):
        values = {}
        with open(self.config_path, "r") as file:  # a missing file breaks the import, as upstream
            for raw_line in file:
                line = raw_line.split(" #", 1)[0].strip()
                if not line or line.startswith("#"):
                    continue
                key, _, value = line.partition(":")
                values[key.strip()] = _scalar(value.strip())
        return values

    def get(self, key, default=None):
        return self.config.get(key, default)


def _scalar(text):
    try:
        return json.loads(text)
    except ValueError:
        return text
