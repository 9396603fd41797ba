#!/bin/sh
# a rule that does not compile stops the run before the sweep, exit 2
printf "rule broken { condition: nosuch }\n" >broken.yar
printf "x\n" >f
"$VIGIL" scan --no-builtin --rules broken.yar f
