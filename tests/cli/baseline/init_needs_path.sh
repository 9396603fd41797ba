#!/bin/sh
"$VIGIL" baseline init --store store.db
