#!/bin/sh
"$VIGIL" verify --help
