#!/bin/sh
"$VIGIL" pkg
