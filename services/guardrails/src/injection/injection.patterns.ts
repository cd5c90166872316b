/**
 * Phrasings of prompt-injection techniques, matched on folded text (lower case, look-alike letters
 * mapped). Each says what it is evidence of and how strongly. Gaps between words are bounded
 * (`{0,40}`) and never nested, so every pattern runs in linear time on any input.
 *
 * The key to the hard negatives: an override needs BOTH a verb of setting aside AND an object
 * that is an instruction to the model ("ignore the first column" and "forget my last question"
 * have the verb but not the object).
 */
export type InjectionTechnique =
  | 'instruction_override'
  | 'role_play'
  | 'context_breaking'
  | 'prompt_extraction'
  | 'data_exfiltration'
  | 'encoded_payload'
  | 'known_attack'
  | 'classifier';

export interface InjectionPattern {
  /**
   * Substrings of which at least one must be in the (folded) text for the pattern to be able to
   * match: one scan for all of them decides which patterns run at all, which keeps a message
   * that contains none of them to a handful of microseconds. Absent: the pattern always runs.
   */
  triggers?: readonly string[];
  /**
   * A second necessary condition, for a pattern whose triggers are common words ("show", "list"):
   * a plain search every match of the pattern also matches, anywhere in the text (no word
   * boundary, so it can never miss what the pattern would find). Far cheaper than the pattern on
   * a long text, and patterns may share one: it is run once per text.
   */
  requires?: RegExp;
  technique: InjectionTechnique;
  score: number;
  pattern: RegExp;
}

const GAP = '[^.!?\\n]{0,40}?';
const SHORT_GAP = '[^.!?\\n]{0,20}?';

const OVERRIDE_VERBS_EN = 'ignore|disregard|forget|override|bypass|set aside|discard|abandon|drop|skip|do not follow|don\'t follow|stop following|no longer follow|pay no attention to';
const INSTRUCTION_NOUNS_EN =
  'instructions?|rules?|guidelines?|guidance|directives?|directions|prompts?|constraints|programming|training|polic(?:y|ies)|restrictions|limits|limitations|context|safety (?:rules|settings|filters?|guidelines)|system (?:message|prompt)|guardrails|commands|orders|previous task|prior task|your task';

/** An override addresses the model's instructions: "ignore ALL/THE/YOUR/PREVIOUS instructions", never just "ignore instructions". */
const DETERMINERS_EN = 'all|the|any|your|my|previous|prior|above|earlier|preceding|these|those|every|original|initial|system|safety|existing|whatever|what';

const EXTRACTION_VERBS = 'reveal|show|print|repeat|output|display|dump|tell me|give me|paste|copy|quote|list|share|leak|summari[sz]e|what (?:is|are|were)';
const SECRECY = 'full|exact|entire|complete|original|initial|hidden|secret|confidential|internal|system';
const PROMPT_NOUNS =
  'system (?:prompt|message|instructions)|prompt|preamble|configuration|instructions(?: you (?:were|have been) given)?|rules';

/** Every match of the prompt-extraction patterns names what it asks for with one of these. */
const NAMES_A_PROMPT = /system|prompt|preamble|configuration|instructions|rules/;

function words(list: string): string {
  return `(?:${list})`;
}

export const INJECTION_PATTERNS: readonly InjectionPattern[] = [
  // ---- instruction override, English
  { triggers: ['ignore', 'disregard', 'forget', 'override', 'bypass', 'set aside', 'discard', 'abandon', 'drop', 'skip', 'follow', 'pay no attention'], technique: 'instruction_override', score: 0.85, pattern: new RegExp(`\\b${words(OVERRIDE_VERBS_EN)}\\b${SHORT_GAP}\\b${words(DETERMINERS_EN)}\\b${GAP}\\b${words(INSTRUCTION_NOUNS_EN)}\\b`, 'g') },
  {
    triggers: ['void', 'null', 'cancel', 'deprecated', 'revoked', 'obsolete', 'lifted', 'invalid', 'a test', 'no longer'], technique: 'instruction_override',
    score: 0.8,
    pattern: new RegExp(
      `\\b(?:previous|prior|above|earlier|preceding|original|initial|old|all)\\s+(?:${INSTRUCTION_NOUNS_EN})${GAP}\\b(?:are|is|were|have been)\\s+(?:now\\s+)?(?:void|null|cancel+ed|deprecated|revoked|obsolete|lifted|invalid|a test|no longer (?:valid|apply|applicable|in effect))`,
      'g',
    ),
  },
  { triggers: ['apply'], technique: 'instruction_override', score: 0.8, pattern: new RegExp(`\\b(?:previous|prior|above|existing|earlier)\\s+(?:${INSTRUCTION_NOUNS_EN})\\s+(?:no longer apply|do not apply|don't apply)`, 'g') },
  { triggers: ['supersede', 'replace', 'override', 'precedence'], technique: 'instruction_override', score: 0.8, pattern: /\b(?:supersedes?|replaces?|overrides?|takes? precedence over)\s+(?:all\s+|any\s+)?(?:previous|prior|earlier|other|your)\s+(?:instructions|rules|directives|prompts?)/g },
  {
    triggers: ['ignore', 'disregard', 'forget', 'override', 'bypass', 'set aside', 'discard', 'abandon', 'drop', 'skip', 'follow', 'pay no attention'], technique: 'instruction_override',
    score: 0.75,
    pattern: new RegExp(
      `\\b${words(OVERRIDE_VERBS_EN)}\\b${SHORT_GAP}\\b(?:everything|anything|all|what|whatever)\\s+(?:that\\s+)?(?:you(?:'ve| have)?(?: been| were)?|was|were|has been|came)\\s+(?:said|told|given|taught|instructed|before)`,
      'g',
    ),
  },
  {
    triggers: ['suspended', 'lifted', 'disabled', 'removed', 'off', 'void', 'revoked', 'waived', 'no longer'], technique: 'instruction_override',
    score: 0.7,
    pattern:
      /\b(?:your|the|all|any)\s+(?:\w+\s+)?(?:restrictions|rules|limits|limitations|guidelines|filters|polic(?:y|ies)|safeguards|guardrails)\s+(?:are|have been|were)\s+(?:now\s+)?(?:suspended|lifted|disabled|removed|off|void|revoked|waived|no longer (?:valid|in effect|active|apply))/g,
  },
  { triggers: ['must', '['], technique: 'instruction_override', score: 0.6, pattern: /\bmust (?:now )?(?:comply with|obey|fulfil+|answer) (?:all|every|any)\s+(?:requests?|instructions?|commands?|questions?)|\[\[?(?:admin|system|developer|root|sudo)\]\]?/g },
  { triggers: ['real instructions', 'new ', 'system override', 'override your'], technique: 'instruction_override', score: 0.7, pattern: /\b(?:the )?real instructions (?:are|follow)|\bnew (?:system )?(?:instructions|rules|policy)\s*(?::|for the ai|loaded|are)|\bsystem override\b|\boverride your (?:safety|rules|instructions|programming)/g },
  { triggers: ['ignore', 'disregard', 'forget', 'override'], technique: 'instruction_override', score: 0.6, pattern: /\b(?:ignore|disregard|forget|override)\s+(?:your|all|any)\s+(?:safety|content|ethical|moral)\b/g },
  { triggers: ['from now on', 'from this point', 'henceforth'], technique: 'instruction_override', score: 0.55, pattern: /\b(?:from now on|from this point(?: forward| on)?|henceforth)\b[^.!?\n]{0,60}?\b(?:ignore|without any|no longer|must (?:answer|comply|obey)|only (?:answer|obey|respond))/g },
  { triggers: ['the ai', 'any ai', 'to ai', 'llm', 'language model', 'the assistant', 'any assistant', 'chatbot', 'the model', 'any model'], technique: 'instruction_override', score: 0.6, pattern: /\b(?:to|note to|attention,?|dear) (?:the |any )?(?:ai|llm|language model|assistant|chatbot|model)\b[^\n]{0,80}?\b(?:ignore|disregard|forget|instead|supersedes)/g },
  { triggers: ['obey', 'follow'], technique: 'instruction_override', score: 0.5, pattern: /\b(?:obey|follow) (?:me|only me|only what i say|my (?:instructions|commands|orders)) (?:instead|now|only)\b|\byour only goal is to obey\b/g },
  // ---- instruction override, other languages
  { triggers: ['ignorier', 'vergiss', 'vergessen', 'missacht', 'übergeh', 'befolge', 'außer kraft', 'ausser kraft'], technique: 'instruction_override', score: 0.85, pattern: new RegExp(`(?<![a-z])(?:ignorier\\w*|vergiss|vergessen sie|missachte\\w*|übergeh\\w*|befolge nicht|setze?\\w* au(?:ß|ss)er kraft)${GAP}(?:anweisungen|regeln|instruktionen|vorgaben|befehle|richtlinien|alles,? was (?:dir|ihnen) (?:vorher )?gesagt)`, 'g') },
  { triggers: ['ignore', 'oublie', 'compte', 'abstraction'], technique: 'instruction_override', score: 0.85, pattern: new RegExp(`(?<![a-z])(?:ignore[zs]?|oublie[zs]?|ne tiens? (?:plus |pas )?compte|ne tenez (?:plus |pas )?compte|fais abstraction)${GAP}\\b(?:les|tes|vos|ces|des|mes)\\s+(?:[^\\s.!?]{1,20}\\s+)?(?:instructions|consignes|règles|directives)`, 'g') },
  { triggers: ['ignora', 'ignore', 'olvid', 'caso omiso', 'omite', 'descarta', 'no sigas', 'no obedezcas', 'deja de seguir'], technique: 'instruction_override', score: 0.85, pattern: new RegExp(`(?<![a-z])(?:ignora|ignore|olvida|olvide|haz caso omiso|omite|descarta|ignorad|no sigas|no obedezcas|deja de seguir)${GAP}\\b(?:instrucciones|reglas|indicaciones|directrices|normas)`, 'g') },
  { triggers: ['ignora', 'dimentica', 'trascura', 'non seguire'], technique: 'instruction_override', score: 0.85, pattern: new RegExp(`(?<![a-z])(?:ignora|dimentica|trascura|non seguire)${GAP}\\b(?:istruzioni|regole|indicazioni|direttive)`, 'g') },
  { triggers: ['ignore', 'ignora', 'esque', 'desconsidere', 'descarte'], technique: 'instruction_override', score: 0.85, pattern: new RegExp(`(?<![a-z])(?:ignore|ignora|esqueça|esqueca|desconsidere|descarte)${GAP}(?:instruções|instrucoes|regras|diretrizes|orientações)`, 'g') },
  { triggers: ['negeer', 'vergeet'], technique: 'instruction_override', score: 0.85, pattern: new RegExp(`(?<![a-z])(?:negeer|vergeet)${GAP}\\b(?:instructies|regels|richtlijnen|opdrachten)`, 'g') },
  { triggers: ['ignoruj', 'zapomnij'], technique: 'instruction_override', score: 0.85, pattern: new RegExp(`(?:zignoruj|ignoruj|zapomnij)${GAP}(?:instrukcje|instrukcji|polecenia|zasady|reguły)`, 'g') },
  { triggers: ['игнорир', 'проигнорир', 'забудь', 'не обращай', 'отбрось', 'не следуй', 'не подчиняйся', 'не выполняй'], technique: 'instruction_override', score: 0.85, pattern: new RegExp(`(?:игнорируй|игнорировать|проигнорируй|забудь|не обращай внимания на|отбрось|не следуй|не подчиняйся|не выполняй)${GAP}(?:инструкци|правил|указани|ограничени)`, 'g') },
  { triggers: ['yok say', 'görmezden', 'unut'], technique: 'instruction_override', score: 0.85, pattern: /(?:talimat|kural|yönerge)\S*[^.!?\n]{0,30}?(?:yok say|görmezden gel|unut)/g },
  { triggers: ['무시', '잊어'], technique: 'instruction_override', score: 0.85, pattern: /(?:지시|지침|명령|규칙)[^.!?\n]{0,20}?(?:무시|잊어)/g },
  { triggers: ['忽略', '无视', '忽视', '忘记', '忘掉', '不要理会', '不要遵守'], technique: 'instruction_override', score: 0.85, pattern: /(?:忽略|无视|忽视|忘记|忘掉|不要理会|不要遵守)[^。！？\n]{0,20}?(?:指令|指示|规则|提示|设定|限制)/g },
  { triggers: ['無視', '忘れ'], technique: 'instruction_override', score: 0.85, pattern: /(?:指示|ルール|命令|設定|制約)[^。！？\n]{0,20}?(?:無視|忘れ)/g },

  // ---- role-play and "developer mode" jailbreaks
  { triggers: ['anything now', 'dan mode', 'you are', 'act as', 'acting as', 'respond as', 'answer as'], technique: 'role_play', score: 0.9, pattern: /\bdo anything now\b|\bdan mode\b|\byou are (?:now )?(?:dan|stan|dude|aim|antigpt|evilbot|jailbreak)\b|\b(?:act|acting|respond|answer) as (?:dan|stan|aim|antigpt)\b/g },
  { triggers: ['mode'], technique: 'role_play', score: 0.7, pattern: /\b(?:enable|activate|enter|switch (?:to|into)|go into|put yourself in(?:to)?|turn on|engage|enabled?)\s+(?:the\s+)?(?:developer|dev|god|jailbreak|maintenance|debug|admin|unrestricted|unfiltered|uncensored|sudo|root|evil|chaos)\s+mode\b|\b(?:developer|god|jailbreak|unrestricted)\s+mode(?:\s*:)?\s+(?:on|enabled|activated)\b/g },
  {
    triggers: ['restriction', 'filter', 'rules', 'limit', 'guideline', 'polic', 'ethic', 'moral', 'censor', 'safety'], technique: 'role_play',
    score: 0.55,
    pattern: /\b(?:no|without(?: any)?|free (?:of|from)|broken free of|not bound by|doesn't have to abide by|does not (?:have to )?(?:abide by|follow))\s+(?:the\s+|any\s+|your\s+|its\s+)?(?:usual\s+|normal\s+|typical\s+|current\s+)?(?:restrictions?|filters?|rules|limits|limitations|guidelines|content polic(?:y|ies)|ethical guidelines|ethics|morals?|moral guidelines|censorship|safety (?:rules|filters|protocols))/g,
  },
  { triggers: ['uncensored', 'unfiltered', 'unrestricted', 'unlimited', 'unaligned', 'evil', 'rogue', 'jailbroken'], technique: 'role_play', score: 0.6, pattern: /\b(?:uncensored|unfiltered|unrestricted|unlimited|unaligned|evil|rogue|jailbroken)\s+(?:ai|llm|model|assistant|version(?: of yourself)?|chatbot|bot|gpt)\b/g },
  { triggers: ['character', 'refuse', 'decline', 'say no', 'reject', 'cannot', "can't", 'can not', 'protocols', 'filters', 'settings'], technique: 'role_play', score: 0.5, pattern: /\b(?:stay|remain) in character\b|\bnever (?:break|breaks) character\b|\b(?:never|no longer|will not|won't|must not|do not|don't) (?:refuses?|declines?|say no to|reject)\b|\bnever (?:says? (?:it|you) can(?:not|'t))\b|\bsafety (?:protocols|filters|settings) (?:are|have been) (?:disabled|off|removed)/g },
  { triggers: ['pretend', 'imagine', 'act as if', 'simulate', 'hypothetically'], technique: 'role_play', score: 0.45, pattern: /\b(?:pretend|imagine|act as if|simulate|hypothetically)\b[^.!?\n]{0,60}?\b(?:no|without)\s+(?:any\s+)?(?:rules|guidelines|restrictions|filters|limits)/g },
  { triggers: ['grandm', 'deceased', 'late'], technique: 'role_play', score: 0.5, pattern: /\b(?:pretend|act|play|role-?play)\b[^.!?\n]{0,40}?\b(?:grandm(?:a|other)|deceased|late)\b[^.!?\n]{0,60}?\b(?:keys?|passwords?|recipe for|napalm|serial)/g },
  { triggers: ['once'], technique: 'role_play', score: 0.55, pattern: /\b(?:two|both|twice)\b[^.!?\n]{0,40}?\b(?:one|once)\b[^.!?\n]{0,60}?\b(?:no (?:rules|restrictions|filters|safety)|unrestricted|opposite)/g },
  { triggers: ['escaped', 'has no', 'breaking all', 'no longer follows'], technique: 'role_play', score: 0.6, pattern: /\b(?:ai|assistant|model) (?:that|who) has (?:escaped|no (?:rules|restrictions|filters|guidelines))|\bbreaking all (?:its|your|the) rules\b|\bno longer follows any polic/g },
  { triggers: ['regeln', 'einschränkung', 'vorgaben', 'richtlinien', 'ohne ', 'entwicklermodus', 'sans ', 'plus aucune', "n'as plus", 'mode développeur', 'sin ', 'ya no', 'modo desarrollador', 'senza', 'modalità sviluppatore', 'sem ', 'żadne', 'zadne', 'без ', 'режим разработчика', '没有任何限制', '不再受任何', '不受任何限制', '开发者模式', '無制限', '制限のない', '開発者モード', '제한 없는', '개발자 모드', 'modo desenvolvedor'], technique: 'role_play', score: 0.6, pattern: /(?:keine regeln|(?:regeln|einschränkungen|vorgaben|richtlinien) (?:gelten )?nicht mehr|gelten (?:deine|die) (?:regeln|vorgaben|richtlinien) nicht mehr|ohne (?:jegliche |jede |irgendwelche )?(?:filter|einschränkung\w*|regeln|zensur)|entwicklermodus|sans (?:aucune )?(?:restriction|filtre|règle|censure)|plus aucune (?:limite|règle|restriction|contrainte)|n'as plus de (?:limites|règles)|mode développeur|sin (?:ninguna )?(?:restricci|filtro|regla|censura)|ya no (?:tienes|hay) (?:reglas|límites|restricciones)|modo desarrollador|senza (?:alcuna )?(?:restrizion|filtr|regol)|modalità sviluppatore|sem (?:filtros|regras|restrições|censura)|(?:żadne|zadne) (?:zasady|reguły|ograniczenia)|без цензуры|modo desenvolvedor|без (?:каких-либо |всяких )?(?:ограничений|фильтров|правил)|режим разработчика|没有任何限制|不再受任何|不受任何限制|开发者模式|無制限|制限のない|開発者モード|제한 없는|개발자 모드)/g },

  // ---- delimiter and context breaking
  { triggers: ['<|', '[inst]', '[/inst]', '<<sys', '<</sys'], technique: 'context_breaking', score: 0.85, pattern: /<\|(?:im_start|im_end|system|endoftext|start_header_id|eot_id)\|>|\[\/?inst\]|<<\/?sys>>/g },
  { triggers: ['</', '<system', 'system_prompt', '<instructions'], technique: 'context_breaking', score: 0.6, pattern: /<\/(?:user|human|input|context|document)>\s*<(?:system|assistant|instructions?|admin)>|<\/?system_prompt>|<\/?(?:system|instructions)>[^<\n]{0,80}?(?:you (?:are|must|have)|ignore|comply|unrestricted|admin)/g },
  { triggers: ['"role"'], technique: 'context_breaking', score: 0.7, pattern: /"role"\s*:\s*"(?:system|developer)"/g },
  { triggers: ['##'], technique: 'context_breaking', score: 0.55, pattern: /(?:^|\n)\s*#{2,}\s*(?:system|new (?:system )?instructions?|neue systemanweisung|instructions? syst)/g },
  { triggers: ['system'], technique: 'context_breaking', score: 0.55, pattern: /(?:^|\n)\s*(?:---+|===+)?\s*system\s*:\s*(?:new|you|the|ignore|content|all)/g },
  { triggers: ['end of', 'fin des', 'ende der'], technique: 'context_breaking', score: 0.65, pattern: /\b(?:end of|fin des|ende der)\s+(?:the\s+)?(?:user (?:input|message|prompt)|document|instructions utilisateur|prompt|input)\b[^\n]{0,40}?\b(?:new|begin|start|nouvelles?|neue)\b[^\n]{0,30}?\b(?:task|instructions?|system|prompt)/g },
  { triggers: ['assistant:', 'assistant :', 'ai:', 'ai :'], technique: 'context_breaking', score: 0.5, pattern: /\b(?:assistant|ai)\s*:\s*(?:sure|ok(?:ay)?|of course)[^\n]{0,60}?\b(?:human|user)\s*:/g },
  { triggers: ['human', 'user'], technique: 'context_breaking', score: 0.5, pattern: /\n\s*(?:human|user)\s*:[^\n]{0,80}\n?\s*(?:assistant|ai)\s*:[^\n]{0,80}\n?\s*(?:human|user)\s*:/g },
  { triggers: ['[system]', '{{', 'begin system'], technique: 'context_breaking', score: 0.6, pattern: /\[system\]\(#|\{\{\s*system\s*\}\}|\bbegin system instructions\b/g },

  // ---- data exfiltration through the model (indirect injection in documents and pages)
  {
    triggers: ['chat history', 'conversation', 'user', 'credential', 'api key', 'password', 'invoice'], technique: 'data_exfiltration',
    score: 0.6,
    pattern:
      /\b(?:send|forward|e-?mail|post|upload|exfiltrate|leak)\b[^.!?\n]{0,40}?\b(?:chat history|conversation|user'?s? (?:data|messages|history|e-?mails?|files|credentials)|credentials|api keys?|passwords?|invoices)\b[^.!?\n]{0,40}?\b(?:to|at)\b/g,
  },
  // A markdown image or link whose query string is left empty or to be filled with a placeholder or with chat data:
  // rendered by the client, it sends that data to the URL's owner. A width or a style parameter is no such thing.
  {
    triggers: ['](http', '](<http', ']( http'], technique: 'data_exfiltration',
    score: 0.7,
    pattern:
      /\[[^[\]\n]{0,80}\]\(\s*<?https?:\/\/[^\s()[\]]{1,200}?[?&][\w-]{1,30}=(?:\)|&|\s|\{|<|\$\{|%s|\[|[^\s)&]{0,20}?(?:summary|history|conversation|chat|data|e-?mail|user|session|key|secret|password|token|prompt|verlauf|message))/g,
  },
  { triggers: ['mention', 'tell', 'reveal', 'disclose'], technique: 'data_exfiltration', score: 0.4, pattern: /\b(?:do not|don't|never) (?:mention|tell (?:the user|anyone)|reveal|disclose) (?:it|this|that you)\b/g },

  // ---- system prompt extraction
  {
    triggers: ['reveal', 'show', 'print', 'repeat', 'output', 'display', 'dump', 'tell me', 'give me', 'paste', 'copy', 'quote', 'list', 'share', 'leak', 'summar', 'what'], technique: 'prompt_extraction',
    requires: NAMES_A_PROMPT,
    score: 0.8,
    pattern: new RegExp(`\\b${words(EXTRACTION_VERBS)}\\b[^.!?\\n]{0,30}?\\byour\\s+(?:${words(SECRECY)}\\s+)*${words(PROMPT_NOUNS)}\\b`, 'g'),
  },
  {
    triggers: ['reveal', 'show', 'print', 'repeat', 'output', 'display', 'dump', 'tell me', 'give me', 'paste', 'copy', 'quote', 'list', 'share', 'leak', 'summar', 'what'], technique: 'prompt_extraction',
    requires: NAMES_A_PROMPT,
    score: 0.75,
    pattern: new RegExp(`\\b${words(EXTRACTION_VERBS)}\\b(?:(?!how\\b|to\\b)[^.!?\\n]){0,30}?\\bthe\\s+(?:${words(SECRECY)}\\s+)+${words(PROMPT_NOUNS)}\\b`, 'g'),
  },
  { triggers: ['repeat', 'everything', 'above starting', 'told not to', 'developer', 'creator', 'quote your'], technique: 'prompt_extraction', score: 0.8, pattern: /\brepeat (?:the|all)? ?(?:words|text|everything) above\b|\beverything (?:before|above) my first message\b|\b(?:words|text) above starting with\b|\bwhat were you told not to\b|\b(?:developer|creators?) (?:told you|put in your prompt)\b|\bquote your instructions\b/g },
  { triggers: ['what'], technique: 'prompt_extraction', score: 0.6, pattern: /\bwhat (?:is|are) your (?:system prompt|instructions|rules)\b/g },
  { triggers: ['your hidden', 'your secret', 'your confidential', 'your internal', 'your initial', 'your original', 'your system'], technique: 'prompt_extraction', score: 0.6, pattern: /\byour (?:hidden|secret|confidential|internal|initial|original|system) (?:instructions|prompt|rules|configuration|preamble)\b/g },
  {
    triggers: ['initial', 'first', 'hidden', 'original', 'initiali', 'instructions', 'rules'], technique: 'prompt_extraction',
    score: 0.75,
    pattern:
      /\b(?:initial|first|hidden|original) (?:text|message|prompt|instructions) (?:you (?:received|were given|got|were initiali[sz]ed with))|\b(?:prompt|instructions) you were initiali[sz]ed with\b|\b(?:what|which) (?:instructions|rules) (?:did|were|have) (?:the |your )?(?:operator|developers?|creators?|company|admin)\b/g,
  },
  {
    triggers: ['repeat'], technique: 'prompt_extraction',
    score: 0.8,
    pattern: /\brepeat (?:back )?(?:all |everything )?(?:of )?(?:the )?(?:text|words|content|lines|messages?)?\s*(?:that (?:appears?|is|are|was|were) )?(?:above|before (?:this|my))\b/g,
  },
  {
    triggers: ['dein', 'ihr', 'prompt', 'instructions', 'instrucciones', 'istruzioni', 'instruções', 'промпт', 'инструкции', '系统提示', '系统指令', 'システムプロンプト', '시스템 프롬프트'],
    technique: 'prompt_extraction',
    score: 0.8,
    pattern:
      /(?:(?:dein|ihr)\w*\s+(?:\w+\s+)?(?:system-?prompt|systemanweisung\w*|anweisungen|instruktionen)|ton prompt système|(?:tes |les )?instructions (?:cachées|secrètes|système)|tu prompt del sistema|(?:tus |las )?instrucciones (?:del sistema|ocultas|secretas)|il tuo prompt di sistema|le tue istruzioni (?:di sistema|nascoste)|suas instruções (?:de sistema|ocultas)|seu prompt do sistema|свой системный промпт|твой системный промпт|свои (?:системные )?инструкции|你的系统提示|你的系统指令|あなたのシステムプロンプト|당신의 시스템 프롬프트)/g,
  },
];

/**
 * Talking ABOUT an attack, not making one: "what is prompt injection", "how do I protect against
 * 'ignore previous instructions'". Lowers the score of the message; never removes it entirely.
 */
export const META_DISCUSSION =
  /\b(?:what (?:is|are) (?:a |an )?(?:prompt injection|jailbreak)|how (?:can|do|should) (?:i|we) (?:protect|defend|detect|prevent|mitigate|guard)|protect(?:ing)? (?:my|our|the) \w+ against|defen[cs]es? against|for (?:my|our) (?:security )?(?:training|paper|slides|research|class)|categories of (?:such )?attacks|explain what (?:a )?(?:jailbreak|prompt injection))\b|(?:qu'est-ce qu'une injection|was ist eine prompt-injection|qué es un ataque de inyección)/;

/**
 * Every match of META_DISCUSSION holds one of these at a word start (each follows a space or a
 * hyphen inside the pattern itself: "what is prompt injection", "defences against", "for my
 * research", "qué es un ataque de inyección"), so a text the trigger scan finds none of in does
 * not discuss attacks, and the pattern is not run over it.
 */
export const META_DISCUSSION_TRIGGERS: readonly string[] = [
  'injection', 'inyección', 'jailbreak', 'protect', 'defend', 'detect', 'prevent', 'mitigate', 'guard', 'against', 'training', 'paper', 'slides', 'research', 'class', 'attacks',
];

/** Words around a quoted attack that show it is being handled as data (tested, detected, filtered), not sent as an order. */
export const QUOTED_ATTACK_CONTEXT = /\b(?:unit tests?|test cases?|tests? (?:that|whether|if)|red[- ]team\w*|classifier|detect\w*|filter\w*|block\w*|refuses?|attacks?|examples? (?:of|like)|such as|phrases? like)\b/;
