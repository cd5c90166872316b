/**
 * Answers in which the model declined: flagged (not blocked by default) so that refusal rates can
 * be watched per model and prompt version. Looks at the opening of the answer, where models put
 * their refusals, in several languages.
 */
const REFUSAL =
  /^\W{0,4}(?:(?:i'?m|i am) (?:sorry|afraid)[^.!?\n]{0,60}?\b(?:can(?:no|')t|unable|not able|won'?t)|i (?:can(?:no|')t|won'?t|will not|am unable to|'m unable to|am not able to|must decline to) (?:help|assist|provide|do|comply|fulfil+|answer|share|create|write|give)|(?:as an ai(?: language model)?|as a language model)[^.!?\n]{0,40}?\b(?:can(?:no|')t|don'?t|unable)|(?:unfortunately|sorry),? (?:but )?i (?:can(?:no|')t|won'?t|am unable)|that'?s not something i can (?:help|assist)|i'?m not (?:able|allowed|permitted) to|es tut mir leid,? (?:aber )?ich kann|ich kann (?:dir|ihnen) (?:dabei )?nicht helfen|je suis désolé,? (?:mais )?je ne peux pas|je ne peux pas (?:vous|t')aider|lo siento,? (?:pero )?no puedo|no puedo ayudar|mi dispiace,? (?:ma )?non posso|desculpe,? (?:mas )?não posso)/i;

const OPENING_CHARS = 300;

export function isRefusal(answer: string): boolean {
  return REFUSAL.test(answer.trimStart().slice(0, OPENING_CHARS));
}
