#!/bin/sh
"$VIGIL" pkg verify --help
