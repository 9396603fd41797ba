#!/bin/sh
"$VIGIL" baseline verify
