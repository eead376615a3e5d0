# agentless_embed.cmake - compile collector/agentless.sh into the collector as
# the C string agentless_script (see agentless.h).
# Run at build time: cmake -DIN=agentless.sh -DOUT=agentless_script.c -P ...
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
file(WRITE ${OUT}.tmp "/* generated from collector/agentless.sh by agentless_embed.cmake: do not edit */\n#include \"collector/agentless.h\"\n\nconst char agentless_script[] = {${hex}0};\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
