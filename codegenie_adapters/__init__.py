"""Thin adapters implementing codegenie_core's ports, and in-memory fakes of every port."""

from loguru import logger

logger.disable("codegenie_adapters")
