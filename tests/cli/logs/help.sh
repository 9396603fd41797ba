#!/bin/sh
"$VIGIL" logs --help
