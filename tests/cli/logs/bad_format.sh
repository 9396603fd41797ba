#!/bin/sh
"$VIGIL" logs --format nosuch x.log
