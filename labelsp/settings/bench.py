"""`make bench` only: the production settings, plus a trivial view to compare the registry with
(labelsp/urls_bench.py). Every other value comes from the environment, as in production."""

from .prod import *

ROOT_URLCONF = "labelsp.urls_bench"
