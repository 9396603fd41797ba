#!/bin/sh
"$VIGIL" pkg verify --no-such-option
