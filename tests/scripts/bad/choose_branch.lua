-- Fails only when the candidate picks "Parrots": check must try every option.
local pet = choose("Cats, dogs or parrots?", { "Cats", "Dogs", "Parrots" })
if pet == "Parrots" then
  local bird = nil
  say("Tell me about " .. bird.name)
end
finish("Thanks!")
