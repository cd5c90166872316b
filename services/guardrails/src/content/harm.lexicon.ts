import type { HarmCategory } from '@llmops/config';

/**
 * Phrasings of requests in the Llama Guard 3 hazard categories, matched on lower-cased text.
 * `needsIntent` rules only count when the message also asks for a method or plan (INTENT): "kill
 * my neighbour" in a news summary is not a request, "how can I kill my neighbour" is. Gaps are
 * bounded and never nested (linear time).
 */
export interface HarmRule {
  /** Substrings of which at least one must be in the lower-cased text for the rule to be able to match (see TriggerTrieScanner). */
  triggers: readonly string[];
  category: HarmCategory;
  score: number;
  pattern: RegExp;
  needsIntent?: boolean;
}

export const HARM_CATEGORY_NAMES: Readonly<Record<HarmCategory, string>> = {
  S1: 'violent crimes',
  S2: 'non-violent crimes',
  S3: 'sex-related crimes',
  S4: 'child sexual exploitation',
  S5: 'defamation',
  S6: 'specialized advice',
  S7: 'privacy',
  S8: 'intellectual property',
  S9: 'indiscriminate weapons',
  S10: 'hate',
  S11: 'suicide and self-harm',
  S12: 'sexual content',
  S13: 'elections',
  S14: 'code interpreter abuse',
};

export const INTENT =
  /\b(?:how (?:can|do|should|would|to)|best way|easiest way|ways? to|help me|give me|tell me|show me|teach me|step[- ]by[- ]step|instructions|plan|tips|without (?:getting|being) (?:caught|noticed)|without (?:leaving|any) (?:evidence|marks|traces)|without (?:the )?(?:police|cops|anyone) (?:finding out|noticing|knowing)|where should i aim|quietest way|untraceable|make it look|which \w+ (?:work|works) (?:fastest|best)|so (?:that|the|they|she|he)|i want to|i'm going to|i am going to|write|create|explain how)\b|\b(?:wie kann|wie mache|comment|cómo|come posso|como)\b/;

const PERSON =
  '(?:my |a |the |our |his |her |their )?(?:neighbou?r|husband|wife|boss|child|kid|girl|boy|man|woman|guy|stranger|roommate|flatmate|coworker|colleague|teacher|family|person|people|someone|somebody|him|her|them|classmates?|partner|ex|dad|mom|father|mother|brother|sister|baby|students?|president|cop|police officer|homeless (?:guy|man|woman|person|people))';
const GROUPS =
  '(?:immigrants|refugees|migrants|jews|muslims|christians|hindus|blacks|black people|whites|white people|women|gays|gay people|lesbians|trans(?:gender)? people|disabled people|mexicans|asians|arabs|africans|gypsies|roma|foreigners)';

export const HARM_RULES: readonly HarmRule[] = [
  // S1 violent crimes
  { triggers: ["kill", "murder", "hurt", "poison", "stab", "strangl", "shoot", "kidnap", "abduct", "tortur", "beat", "assault", "maim", "chok", "suffocat", "drown", "run over", "set fire"], category: 'S1', score: 0.85, needsIntent: true, pattern: new RegExp(`\\b(?:kill(?:ing)?|murder(?:ing)?|hurt(?:ing)?|poison(?:ing)?|stab(?:bing)?|strangl(?:e|ing)|shoot(?:ing)?|kidnap(?:ping)?|abduct(?:ing)?|tortur(?:e|ing)|beat(?:ing)? up|assault(?:ing)?|maim(?:ing)?|chok(?:e|ing)|suffocat(?:e|ing)|drown(?:ing)?|run over|set fire to)\\s+${PERSON}\\b`) },
  { triggers: ["neck", "throat"], category: 'S1', score: 0.8, pattern: /\b(?:break|snap|slit|cut)\s+(?:someone'?s?|his|her|their|a person'?s?|my \w+'?s?)\s+(?:neck|throat)/ },
  { triggers: ["plan", "shooting at"], category: 'S1', score: 0.85, pattern: /\bplan (?:a |an )?(?:mass )?(?:shooting|massacre|bombing|terror(?:ist)? attack|stabbing|school shooting)|\bshooting at (?:my|a|the) (?:school|church|mosque|synagogue|office)/ },
  { triggers: ["umbringen", "töten", "ermorden", "matar", "asesinar", "tuer", "assassiner"], category: 'S1', score: 0.8, pattern: /\b(?:jemanden|ihn|sie|meinen \w+|meine \w+)\s+(?:umbringen|töten|ermorden)|\b(?:matar|asesinar) a (?:mi|alguien|un|una)|\b(?:tuer|assassiner) (?:mon|ma|quelqu'un)/ },
  // S2 non-violent crimes
  { triggers: ["launder", "evade", "hide income", "hide money"], category: 'S2', score: 0.8, needsIntent: true, pattern: /\blaunder(?:ing)? (?:money|cash|funds|the proceeds)|\bevade (?:taxes|the irs)|\bhide (?:income|money) from the (?:irs|tax)/ },
  { triggers: ["phishing", "ransomware", "keylogger", "malware", "virus", "trojan", "stealer", "botnet", "spyware"], category: 'S2', score: 0.8, pattern: /\b(?:write|create|make|draft|generate|code|build)\b[^.!?\n]{0,30}?\b(?:phishing (?:e-?mail|page|site|message|sms|text)|ransomware|keylogger|malware|computer virus|trojan|credential stealer|botnet|spyware)/ },
  { triggers: ["hotwire", "steal", "break into", "shoplift", "pick a lock"], category: 'S2', score: 0.75, needsIntent: true, pattern: /\b(?:hotwire|steal|break into)\s+(?:a |the |my neighbou?r'?s? |someone'?s? )?(?:car|vehicle|house|home|atm|store)|\bshoplift|\bpick a lock to (?:get|break) into/ },
  { triggers: ["counterfeit", "forge", "fake", "print", "falsificar", "faux billets", "falschgeld"], category: 'S2', score: 0.8, pattern: /\b(?:counterfeit|forge|fake|print)\s+(?:money|bills|banknotes|currency|passports?|ids?|euros?|dollars?)|\bfalsificar (?:billetes|dinero|documentos)|\bfaux billets|\bfalschgeld/ },
  { triggers: ["meth", "crack", "heroin", "fentanyl", "lsd", "mdma", "ghb"], category: 'S2', score: 0.85, pattern: /\b(?:cook|make|synthesi[sz]e|produce|manufacture|brew)\s+(?:crystal )?(?:meth|methamphetamine|crack cocaine|crack|heroin|fentanyl|lsd|mdma|ghb)\b/ },
  { triggers: ["into"], category: 'S2', score: 0.75, needsIntent: true, pattern: /\b(?:hack|break|get|log|sneak) into (?:someone'?s?|my \w+'?s?|her|his|their|a|an)\s+(?:\w+\s+)?(?:account|e-?mail|gmail|outlook|phone|instagram|facebook|icloud|wifi|laptop)/ },
  { triggers: ["stolen"], category: 'S2', score: 0.75, pattern: /\b(?:sell|buy|use|cash out)\w*\s+(?:\w+\s+)?stolen (?:credit cards?|cards?|card numbers|identities|passwords|accounts|data|goods)|\bstolen (?:credit )?card numbers? (?:online|on the dark web)/ },
  { triggers: ["grow", "sell", "deal", "smuggl", "traffic"], category: 'S2', score: 0.75, needsIntent: true, pattern: /\b(?:grow|sell|deal|smuggle|traffic)\w*\s+(?:and sell\s+)?(?:weed|cannabis|marijuana|drugs|cocaine|heroin|meth|pills|guns|firearms)\b/ },
  // S3 sex-related crimes
  { triggers: ["upskirt", "creepshot", "hidden camera"], category: 'S3', score: 0.9, pattern: /\bupskirt|\bcreepshots?\b|\bhidden camera\b[^.!?\n]{0,40}?\b(?:bathroom|shower|changing room|bedroom|toilet)/ },
  { triggers: ["sleep", "sex with me", "sexual favo"], category: 'S3', score: 0.8, pattern: /\b(?:sleep(?:ing)? with me|sex with me|sexual favou?rs?)\b[^.!?\n]{0,40}?\b(?:promotion|job|raise|grade|required|or (?:she|he|you) (?:loses|gets fired))/ },
  { triggers: ["secretly"], category: 'S3', score: 0.85, pattern: /\bsecretly (?:film|record|photograph|watch)\b[^.!?\n]{0,40}?\b(?:shower|undress|naked|bathroom|changing|toilet)/ },
  { triggers: ["drink", "date rape", "rape", "sexually assault"], category: 'S3', score: 0.9, pattern: /\bdrug (?:a |her |his |my |someone'?s? |a girl'?s? |a woman'?s? )?(?:girl'?s? |date'?s? )?drink\b|\bdate rape drug\b|\b(?:rape|sexually assault) (?:her|him|someone|a woman|a girl)/ },
  { triggers: ["pressure", "force", "coerce", "blackmail", "prostitution", "trafficking"], category: 'S3', score: 0.85, pattern: /\b(?:pressure|force|coerce|blackmail)\b[^.!?\n]{0,30}?\b(?:into (?:sex|prostitution|sleeping with)|to have sex|to sleep with)|\bforce (?:someone|her|women|girls) into prostitution|\bsex trafficking (?:ring|operation)/ },
  // S4 child sexual exploitation
  { triggers: ["sexual", "sexy", "sex", "nude", "naked", "explicit", "erotic", "porn"], category: 'S4', score: 0.95, pattern: /\b(?:child|children|minors?|kids?|underage|preteens?|[1-9]|1[0-7])(?:[- ]year[- ]olds?)?\b[^.!?\n]{0,80}?\b(?:sexual|sexy|sex|nude|naked|explicit|erotic|porn)|\b(?:sexual|nude|naked|explicit|erotic|porn\w*)\b[^.!?\n]{0,80}?\b(?:child|children|minors?|kids|underage|preteens?|(?:[1-9]|1[0-7])[- ]year[- ]olds?)\b/ },
  { triggers: ["groom", "send me"], category: 'S4', score: 0.9, pattern: /\bgroom (?:a |the )?(?:child|kid|minor|boy|girl)|\b(?:child|kid|minor)\b[^.!?\n]{0,40}?\bsend me (?:explicit|nude|naked)/ },
  // S5 defamation
  { triggers: ["fake", "false", "made-up", "fabricat", "invent", "make up"], category: 'S5', score: 0.65, pattern: /\b(?:fake|false|made-up|fabricated)\s+(?:news|article|story|scandal|reviews?|allegations?|rumou?rs?|accusations?)\b|\b(?:invent|fabricate|make up)\s+(?:a |an |some )?(?:scandal|story|allegations?|rumou?rs?|accusations?)\b/ },
  { triggers: ["didn't", "didnt", "did not", "never did", "not true", "false", "a lie", "made up", "isn't true", "isnt true", "is not true"], category: 'S5', score: 0.6, pattern: /\((?:he|she|they) (?:didn'?t|did not|never did)\)|\b(?:even though|although|i know|knowing|even if) (?:it'?s|that'?s|this is|it is|it|that|this) (?:not true|false|a lie|isn'?t true|is not true|made up)/ },
  // S6 specialized advice with a risk of serious harm
  { triggers: ["instead of", "have to", "without"], category: 'S6', score: 0.65, pattern: /\b(?:instead of|so (?:we|i) (?:don'?t|do not) have to|without) (?:going to|calling|seeing|call|go to|see) (?:a |an |the )?(?:hospital|doctor|er|911|112|999|ambulance|emergency)/ },
  { triggers: ["insulin", "oxycodone", "morphine", "fentanyl", "opioid", "xanax", "benzo", "ketamine", "methadone"], category: 'S6', score: 0.7, pattern: /\b(?:dose|dosage|how much|how many)\b[^.!?\n]{0,40}?\b(?:insulin|oxycodone|morphine|fentanyl|opioids?|xanax|benzos?|ketamine|methadone)\b[^.!?\n]{0,60}?\b(?:give|inject|friend|child|kid|son|daughter|[0-9]+-year-old)/ },
  { triggers: ["lawyer", "represent myself"], category: 'S6', score: 0.6, pattern: /\b(?:represent myself|without a lawyer|don'?t want a lawyer)\b[^.!?\n]{0,60}?\b(?:murder|felony|criminal) trial|\b(?:murder|felony|criminal) trial\b[^.!?\n]{0,80}?\b(?:represent myself|without a lawyer|don'?t want a lawyer)/ },
  // S7 privacy
  { triggers: ["dox", "home address", "phone number", "address and phone", "social security", "ssn", "real name"], category: 'S7', score: 0.8, pattern: /\bdox(?:x)?(?:ing)?\b|\b(?:find|get|give me|look up|tell me)\b[^.!?\n]{0,30}?\b(?:home address|phone number and address|address and phone|social security number|ssn|real name)\b[^.!?\n]{0,30}?\b(?:of|for) (?:this|that|the|a|my ex|her|him|someone|[a-z]+ [a-z]+ born)/ },
  { triggers: ["live", "address"], category: 'S7', score: 0.8, pattern: /\b(?:find out|figure out|work out|tell me|locate) where (?:this|that|she|he|they|my ex|[a-z]+ user)\b[^.!?\n]{0,30}?\blives?\b|\b(?:find|get|locate) (?:her|his|their|this (?:user|person|woman|man)'?s?) (?:home )?address\b/ },
  { triggers: ["without"], category: 'S7', score: 0.85, pattern: /\b(?:track|spy on|monitor|read)\b[^.!?\n]{0,40}?\b(?:phone|location|messages|texts|whatsapp)\b[^.!?\n]{0,40}?\bwithout (?:her|him|them|their|my \w+'?s?) (?:knowing|knowledge|consent)/ },
  // S8 intellectual property
  { triggers: ["crack", "keygen", "torrent", "pirat", "warez"], category: 'S8', score: 0.75, pattern: /\bcrack\b[^.!?\n]{0,30}?\b(?:license|licence|activation|drm|serial|copy protection)|\bkeygen\b|\b(?:torrent|pirated?|warez)\b[^.!?\n]{0,40}?\b(?:link|download|movie|film|game|software|album)/ },
  { triggers: ["full text", "entire", "lyrics", "complete", "whole"], category: 'S8', score: 0.6, pattern: /\b(?:full text|entire (?:text|book|chapter)|all (?:the )?lyrics)\b[^.!?\n]{0,60}?\b(?:so i don'?t have to buy|for free|to sell|to print)|\b(?:entire|full|complete|whole) (?:script|screenplay|text|book|novel|lyrics|transcript|source code) of\b[^.!?\n]{0,60}?\b(?:word for word|verbatim)|\bwrite out all the lyrics\b[^.!?\n]{0,60}?\b(?:sell|print|shirts|merch)/ },
  // S9 indiscriminate weapons
  {
    triggers: ["bomb", "explosive", "ied", "nerve", "sarin", "vx gas", "mustard", "chemical weapon", "weapon", "anthrax", "ricin", "botulinum", "nuclear", "uranium", "plutonium", "napalm", "sprengstoff", "toxic gas", "poison", "chlorine"], category: 'S9',
    score: 0.9,
    pattern:
      /\b(?:make|build|construct|assemble|create|fabricate|fabriquer|bauen|hacer|synthesi[sz]e|weaponi[sz]e|culture|enrich|produce)\b[^.!?\n]{0,40}?\b(?:bombs?|explosives?|ied|pipe bomb|dirty bomb|nerve agent|sarin|vx gas|mustard gas|chemical weapons?|bio-?weapons?|biological weapons?|anthrax|ricin|botulinum|nuclear (?:device|weapon|bomb)|uranium|plutonium|napalm|bombe|sprengstoff|bomba|toxic gas|poison(?:ous)? gas|chlorine gas|nerve gas)\b/,
  },
  { triggers: ["sarin", "vx", "tabun", "soman", "ricin", "anthrax", "mustard", "nerve agent", "tatp", "semtex"], category: 'S9', score: 0.9, pattern: /\b(?:synthesis|instructions|recipe|steps)\b[^.!?\n]{0,30}?\b(?:for|to make|of)\b[^.!?\n]{0,20}?\b(?:sarin|vx|tabun|soman|ricin|anthrax|mustard gas|nerve agents?|tatp|semtex)/ },
  // S10 hate
  { triggers: ["vermin", "subhuman", "parasite", "cockroach", "rats", "animals", "disease", "inferior race"], category: 'S10', score: 0.85, pattern: new RegExp(`\\b${GROUPS}\\b[^.!?\\n]{0,30}?\\b(?:vermin|subhuman|parasites|cockroaches|rats|animals|a disease|inferior race)\\b`) },
  { triggers: ["terrorist", "criminal", "rapist", "thieves", "drug dealer", "savage", "animal", "inferior", "stupid", "lazy", "dirty", "evil", "dumb"], category: 'S10', score: 0.8, pattern: new RegExp(`\\b${GROUPS}\\s+(?:are|is)\\s+(?:all\\s+)?(?:terrorists|criminals|rapists|thieves|drug dealers|savages|animals|inferior|too stupid|stupid|lazy|dirty)\\b|\\bwhy are ${GROUPS}\\s+(?:so |too )?(?:stupid|inferior|lazy|dumb|evil)`) },
  { triggers: ["control the world", "must be", "should be"], category: 'S10', score: 0.85, pattern: new RegExp(`\\b${GROUPS}\\b[^.!?\\n]{0,30}?\\b(?:control the world|must be (?:stopped|eliminated|exterminated|driven out|deported)|should be (?:exterminated|eliminated|driven out|gassed))`) },
  // S11 suicide and self-harm
  {
    triggers: ["myself", "end my", "end it", "suicide", "painless", "pro-ana", "pro ana", "proana", "umbringen", "suicider", "suicidarme", "matarme", "uccidermi"], category: 'S11',
    score: 0.85,
    pattern:
      /\b(?:kill|hang|shoot|drown|hurt) myself\b|\bend (?:my|it) (?:life|all)\b|\bend my life\b|\b(?:commit|do) suicide\b|\bsuicide methods?\b|\bpainless(?:ly)? (?:way to )?(?:die|kill)|\bcut myself\b|\bstarve myself\b|\bpro-?ana\b|\bmich umbringen\b|\bme suicider\b|\bsuicidarme\b|\bmatarme\b|\buccidermi\b/,
  },
  { triggers: ["overdose", "end it", "die tonight", "kill myself", " od", "wrist", "vein"], category: 'S11', score: 0.8, pattern: /\b(?:decided to|going to|want to|plan(?:ning)? to|gonna) (?:overdose|od|end it all|end it|die tonight|kill myself)\b|\bcut\b[^.!?\n]{0,30}?\b(?:my )?(?:wrists?|veins?)\b|\b(?:wrists?|veins?)\b[^.!?\n]{0,30}?\bcut\b[^.!?\n]{0,30}?\bbleed/ },
  { triggers: ["pills", "tablets", "paracetamol", "tylenol", "acetaminophen", "insulin"], category: 'S11', score: 0.8, pattern: /\b(?:how many|how much)\b[^.!?\n]{0,40}?\b(?:pills|tablets|paracetamol|tylenol|acetaminophen|sleeping pills|insulin)\b[^.!?\n]{0,30}?\b(?:to die|die|overdose|kill me|be lethal|fatal)/ },
  // S12 sexual content
  { triggers: ["explicit", "graphic", "pornographic", "erotic", "x-rated", "nsfw", "dirty", "steamy", "hardcore", "genitals"], category: 'S12', score: 0.75, pattern: /\b(?:explicit|graphic|pornographic|erotic|x-rated|nsfw|dirty|steamy|hardcore)\b[^.!?\n]{0,30}?\b(?:sex|story|scene|detail|sexting|messages|fanfic|fan fiction)|\bgenitals\b|\bpornographic detail/ },
  // S13 elections
  { triggers: ["election", "voting", "poll", "vote"], category: 'S13', score: 0.8, pattern: /\b(?:election|voting|polls?|vote)\b[^.!?\n]{0,40}?\b(?:(?:has been |is |was )?(?:moved|postponed|cancelled) to|by text(?: message)?|by phone call|twice)\b|\bvote twice\b/ },
  { triggers: ["from voting", "stay home", "voting machine", "so they", "so people", "so voters"], category: 'S13', score: 0.75, pattern: /\b(?:keep|stop|prevent|discourage) (?:people|them|voters|democrats|republicans) from voting|\bso they stay home on (?:election day|tuesday)|\b(?:voters|people|democrats|republicans|them)\b[^.!?\n]{0,60}?\b(?:polls?|election|voting)\b[^.!?\n]{0,60}?\bso (?:they|people|voters) (?:miss|stay home|don'?t vote|can'?t vote|won'?t vote)|\bvoting machines\b[^.!?\n]{0,40}?\b(?:delete|flip|switch) votes/ },
  // S14 code interpreter abuse
  {
    triggers: ["rm -rf", "os.system", "/etc/", "reverse shell", "fork bomb", "os.fork", ":|:", "nc -e", "bash -i", "/dev/tcp", "curl", "wget"], category: 'S14',
    score: 0.85,
    pattern: /rm -rf \/|os\.system\(|\/etc\/(?:passwd|shadow)|reverse shell|fork bomb|os\.fork\(\)|:\(\)\s*\{\s*:\|:&\s*\};:|\bnc -e\b|bash -i >&|\/dev\/tcp\/|\b(?:curl|wget)\s[^|\n]{0,200}\|\s*(?:sudo\s+)?(?:sh|bash)\b/,
  },
];
