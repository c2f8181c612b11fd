-- A typo an interviewer makes: the line does not parse, so nothing runs.
say("Hello!")
local years = = ask_number("How many years?")
finish("Thanks")
