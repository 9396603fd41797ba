#!/bin/sh
"$VIGIL" snapshot --help
