#!/bin/sh
"$VIGIL" snapshot --no-such-option
