"""The codegenie command line: click commands, the composition root."""
