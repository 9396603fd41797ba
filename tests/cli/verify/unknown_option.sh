#!/bin/sh
"$VIGIL" verify --no-such-option
