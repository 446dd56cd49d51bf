"""The pure core: no git, no GitHub, no subprocess, no clock, no environment reads."""
