import os
from pathlib import Path

from aiopslab.config import Config

HOME_DIR = Path(os.path.expanduser("~"))
BASE_DIR = Path(__file__).resolve().parent
config = Config(BASE_DIR / "config.yml")

DATA_DIR = BASE_DIR / config.get("data_dir")
RESULTS_DIR = DATA_DIR / "results"
