/**
 * The ideas harmful requests and their look-alikes are made of, each as words in several
 * languages (en, de, fr, es, it, pt, nl, pl, tr; the main ones also ru, uk, zh, ja, ko, ar, hi,
 * vi, id). The harm model gets which ideas a message holds and which two occur together: "hurt"
 * + "a person" + "unnoticed" is a request to harm, "kill" + "a process" or "bomb" + "history" is
 * not, and what it learns from the English rows carries to the languages it has few or no rows in. Matched by ConceptScanner on the classifier reading: an
 * entry is a word prefix, several words whose last is a prefix, or a whole word when it ends in
 * `$`. At most 31 concepts (a 32-bit mask).
 */
export const HARM_CONCEPTS = {
  violence: [
    'neck', 'skull', 'garrot', 'pillow over', 'push him', 'push her', 'push someone', 'push a person', 'off a cliff', 'on fire', 'baseball bat', 'punch', 'knock someone', 'hit him', 'hit her', 'hitting them', 'ran over', 'break someone', 'kill', 'murder', 'stab', 'strangl', 'strangle', 'choke', 'chok', 'suffocat', 'smother', 'drown', 'poison', 'shoot', 'beat up', 'beat him', 'beat her', 'beat them', 'beat someone', 'beat a', 'hurt', 'kidnap', 'abduct', 'tortur', 'maim', 'assault', 'attack', 'ambush', 'massacre', 'hitman', 'hit man', 'bleed out', 'bleed to death', 'break his', 'break her', 'snap', 'knock out', 'knock him', 'slit', 'set fire', 'burn down', 'run over', 'lynch', 'execute them', 'take out my', 'get rid of',
    'töt', 'umbring', 'ermord', 'ersteche', 'erstech', 'vergift', 'erwürg', 'erstick', 'verprügel', 'entführ', 'angriff', 'anschlag', 'zusammenschlag',
    'tuer', 'tue$', 'assassin', 'poignard', 'étrangl', 'etrangl', 'empoisonn', 'frapper', 'enlever', 'séquestr', 'attentat', 'embuscade', 'mort-aux-rats', 'tabasser',
    'matar', 'asesin', 'apuñal', 'apunal', 'estrangul', 'envenen', 'secuestr', 'golpear', 'atacar', 'empujar',
    'uccid', 'ammazz', 'accoltell', 'strangol', 'avvelen', 'rapire', 'rapisc', 'picchiar',
    'esfaque', 'estrangul', 'envenen', 'sequestr', 'espancar', 'espanc',
    'vermoord', 'doodmaken', 'vergiftig', 'in elkaar slaan', 'ontvoer',
    'zabić', 'zabic', 'zabij', 'otru', 'porwać', 'pobić',
    'öldür', 'bıçakla', 'zehirle',
    'убить', 'убей', 'убийств', 'отрав', 'зарез', 'задуш', 'избить', 'похитить', 'вбити', 'отруїти', '杀死', '杀人', '杀掉', '毒死', '下毒', '刺死', '绑架', '殺す', '殺し', '毒を盛', '刺し', '죽이', '독살', '찌르', 'قتل', 'أقتل', 'تسميم', 'طعن', 'मार डाल', 'हत्या', 'ज़हर', 'जहर', 'giết', 'đầu độc', 'membunuh', 'bunuh', 'meracuni',
  ],
  person: [
    'someone', 'somebody', 'person', 'people', 'him$', 'her$', 'them$', 'my wife', 'my husband', 'my boss', 'my neighbo', 'neighbo', 'my ex', 'my mother', 'my father', 'my mom', 'my dad', 'stepfather', 'mother-in-law', 'roommate', 'coworker', 'co-worker', 'colleague', 'classmate', 'teacher', 'landlord', 'stranger', 'a man', 'a woman', 'a guy', 'a girl', 'the family', 'passengers', 'commuters', 'pedestrians', 'students', 'guard', 'officer', 'policeman', 'police officer', 'business partner', 'target', 'victim', 'an adult', 'old man', 'prisoner',
    'jemand', 'nachbar', 'meine frau', 'mein mann', 'chef', 'kollege', 'stiefvater', 'ex-freundin', 'menschen', 'typen',
    "quelqu'un", 'quelqu', 'voisin', 'ma femme', 'mon mari', 'patron', 'collègue', 'policier', 'gens',
    'alguien', 'vecin', 'mi esposa', 'mi marido', 'jefe', 'suegra', 'la gente', 'personas',
    'qualcuno', 'vicin', 'mio marito', 'mia moglie', 'collega', 'persone',
    'alguém', 'alguem', 'vizinho', 'meu marido', 'minha esposa', 'pessoas',
    'iemand', 'buurman', 'mensen',
    'kogoś', 'kogos', 'człowieka', 'czlowieka', 'sąsiad',
    'birini', 'insan',
    'кого-то', 'человек', 'соседа', 'жену', 'мужа', 'когось', 'сусіда', '某人', '邻居', '别人', '老板', '誰か', '隣人', '누군가', '이웃', 'شخص', 'جاري', 'किसी को', 'पड़ोसी', 'ai đó', 'hàng xóm', 'seseorang', 'tetangga',
  ],
  crowd: [
    'crowd', 'crowded', 'as many people', 'maximum casualties', 'maximum damage', 'mass casualt', 'subway', 'metro', 'train station', 'stadium', 'concert', 'parade', 'mall', 'school', 'mosque', 'church', 'synagogue', 'festival', 'protest', 'rally', 'water supply', 'a city', 'commuters', 'building', 'bridge', 'pipeline', 'airport',
    'menschenmenge', 'u-bahn', 'bahnhof', 'foule', 'gare', 'multitud', 'estación', 'folla', 'multidão', 'prédio', 'predio', 'edificio', 'tłum',
  ],
  unnoticed: [
    'without getting caught', 'without being caught', 'without being noticed', 'without being seen', 'without anyone', 'without leaving', 'without a trace', 'without traces', 'without them', 'without her knowing', 'without him knowing', 'without their', 'without her', 'without him', 'without the police', 'without the cops', 'not get caught', "won't be traced", 'untraceable', 'undetect', 'hard to detect', 'hardest to detect', 'look like an accident', 'looks like an accident', 'look like a', 'looks like a', 'make it look', 'cover it up', 'cover up', 'get away with', 'so nobody', 'so no one', 'no one finds out', 'nobody finds out', 'noticing', "doesn't notice", 'does not notice', "don't notice", 'not notice', 'without raising', 'secretly', 'secret$', 'hide the', 'hide a body', 'hide my', 'get away', 'before the cops', 'before the police', 'anonymously', 'off the books', 'autopsy',
    'ohne dass', 'ohne spuren', 'unbemerkt', 'heimlich', 'obduktion', 'unfall aussieht',
    'sans que', 'sans laisser', 'sans me faire', 'en secret', 'accident',
    'sin que', 'sin dejar', 'sin ser', 'a escondidas', 'que parezca',
    'senza che', 'senza essere', 'senza lasciare', 'di nascosto',
    'sem que', 'sem deixar', 'sem ser', 'escondid',
    'zonder dat', 'zonder sporen', 'ongemerkt',
    'żeby nikt', 'zeby nikt', 'niezauważ',
    'iz bırakmadan', 'fark etmeden',
    'незаметно', 'чтобы никто', 'без следов', 'непомітно', '不被发现', '不留痕迹', '神不知鬼不觉', 'バレずに', '痕跡を残さず', '들키지 않', '흔적 없이', 'دون أن', 'بدون أثر', 'बिना किसी', 'पता न चले', 'không bị phát hiện', 'tanpa ketahuan', 'tanpa jejak',
  ],
  method: [
    'how do i', 'how can i', 'how could i', 'how should i', 'how would i', 'how to', 'how do you', 'how much', 'how many', 'best way', 'easiest way', 'quickest way', 'fastest way', 'simplest way', 'most reliable', 'quietest', 'step by step', 'step-by-step', 'instructions', 'guide', 'tutorial', 'recipe', 'checklist', 'shopping list', 'exact steps', 'walk me through', 'teach me', 'show me how', 'tell me how', 'explain how', 'give me', 'what dose', 'what ratio', 'which', 'where should i', 'where can i', 'where do i', 'what do i need', 'tips', 'plan$', 'a plan', 'detailed',
    'wie kann ich', 'wie mache', 'wie baue', 'wie stelle', 'wie viel', 'wie finde', 'wie bringe', 'wie knacke', 'wie vergifte', 'anleitung', 'gib mir', 'welche',
    'comment', 'explique', 'donne-moi', 'donne moi', 'quelle dose', 'combien', 'recette',
    'cómo', 'como ', 'dime', 'dame', 'explícame', 'explicame', 'qué dosis', 'cuánta', 'cuanto', 'receta', 'cuál es la mejor',
    'come posso', 'come si', 'come faccio', 'dammi', 'quanta', 'quante', 'qual è il modo',
    'como posso', 'como faço', 'como fazer', 'qual é a melhor', 'quanto',
    'hoe kan ik', 'hoe maak', 'hoeveel',
    'jak ', 'jak zrobić', 'jak zrobic',
    'nasıl', 'nasil',
    'как ', 'как мне', 'как сделать', 'як ', 'як мені', '怎么', '如何', '怎样', '方法', 'どうやって', '方法を', '어떻게', '방법', 'كيف', 'طريقة', 'कैसे', 'làm sao', 'cách', 'bagaimana', 'cara',
  ],
  intent: [
    'i want to', 'i wanna', 'i need to', "i'm going to", 'i am going to', 'im going to', 'gonna', "i'm planning", 'i am planning', 'planning to', 'i plan to', "i've decided", 'i have decided', 'made up my mind', 'help me', 'i will', "i'll", 'let me', 'so i can', 'so that i', 'so he', 'so she', 'so they', 'so it', 'teach him', 'teach her', 'a lesson',
    'ich will', 'ich möchte', 'ich werde', 'hilf mir', 'damit',
    'je veux', 'je vais', 'aide-moi', 'pour que', 'pour le', 'pour la',
    'quiero', 'voy a', 'ayúdame', 'para que',
    'voglio', 'aiutami', 'per farla',
    'quero', 'vou ', 'me ajuda', 'para ele', 'para ela',
    'ik wil', 'chcę', 'chce ',
    'istiyorum',
    'я хочу', 'хочу', '我想', '我要', 'したい', '싶어', 'أريد', 'मैं चाहता', 'tôi muốn', 'saya ingin', 'aku mau',
  ],
  weapon: [
    'deadliest', 'lethal gas', 'gas them', 'gas commuters', 'spread a virus', 'virus', 'chlorine', 'ammonia', 'toxic', 'bomb', 'explosiv', 'ied$', 'detonat', 'grenade', 'pipe bomb', 'dirty bomb', 'car bomb', 'nail bomb', 'suicide vest', 'tatp', 'semtex', 'thermite', 'napalm', 'molotov', 'ammonium nitrate', 'nerve agent', 'nerve gas', 'sarin', 'vx$', 'tabun', 'soman', 'mustard gas', 'chlorine gas', 'toxic gas', 'poison gas', 'poisonous gas', 'chemical weapon', 'bioweapon', 'bio-weapon', 'biological weapon', 'anthrax', 'ricin', 'botulinum', 'smallpox', 'pathogen', 'plutonium', 'uranium', 'radioactive', 'cesium', 'nuclear device', 'nuclear bomb', 'fully automatic', 'full auto', 'ghost gun', '3d print', 'gun$', 'rifle', 'firearm', 'knife', 'weapon', 'weaponi', 'epidemic',
    'bombe', 'sprengstoff', 'rohrbombe', 'sprengsatz', 'waffe', 'nervengas',
    'engin explosif', 'arme chimique', 'arme biolog',
    'bomba', 'explosivo', 'ántrax', 'antrax', 'arma química', 'arma biológica', 'gas sarín', 'gas sarin',
    'ordigno', 'esplosiv', 'bomba sporca',
    'bombę', 'bombe', 'bomba',
    'бомб', 'взрывчат', 'зарин', 'бомбу', 'вибухівк', '炸弹', '炸药', '爆炸物', '沙林', '爆弾', '爆発物', '폭탄', '폭발물', 'قنبلة', 'متفجرات', 'बम', 'विस्फोटक', 'bom$', 'chất nổ', 'bom rakitan', 'bahan peledak',
  ],
  crime: [
    'drugs$', 'cvv', 'card verification', 'credit card number', 'online-banking', 'überweisung', 'into a prison', 'pretends to be', 'launder', 'wash the money', 'money laundering', 'counterfeit', 'fake money', 'forge', 'forged', 'fake id', "fake driver", 'fake passport', 'fake invoice', 'fake certificate', 'fake vaccination', 'steal', 'stolen', 'shoplift', 'rob$', 'robbery', 'burglar', 'break into', 'hotwire', 'pickpocket', 'skim', 'clone a', 'phishing', 'ransomware', 'malware', 'keylogger', 'stealer', 'trojan', 'botnet', 'spyware', 'exploit', 'hack into', 'hack the', 'hack my', 'brute-force', 'brute force', 'take over', 'sim swap', 'scam', 'fraud', 'ponzi', 'evade', 'evasion', 'tax return with false', 'smuggl', 'traffick', 'sell drugs', 'sell weed', 'sell cocaine', 'deal drugs', 'meth', 'cocaine', 'heroin', 'fentanyl', 'crack cocaine', 'bribe', 'bypass the alarm', 'bypassing', 'serial number', 'background check', 'rig a', 'cheat',
    'schwarzgeld', 'geld waschen', 'waschen', 'falschgeld', 'klau', 'stehl', 'trojaner', 'betrug', 'knack', 'drogen',
    'blanchir', 'fausse monnaie', 'faux billets', 'voler', 'pirater', 'frauder', 'fraude', 'cocaïne', 'drogue',
    'lavar dinero', 'falsificar', 'robar', 'hackear', 'hackeo', 'droga', 'estafa', 'contraband',
    'riciclare', 'rubare', 'evadere le tasse', 'truffa',
    'lavar dinheiro', 'clonar', 'roubar', 'falsos', 'golpe',
    'witwassen', 'stelen',
    'wyprać', 'ukraść', 'ukrasc',
    'çalmak', 'sahte',
    'украсть', 'отмыть деньги', 'взломать', 'наркотик', 'вкрасти', '偷走', '偷窃', '洗钱', '黑进', '毒品', '盗む', '盗み', 'ハッキング', '麻薬', '훔치', '해킹', '마약', 'سرقة', 'أسرق', 'اختراق', 'مخدرات', 'चोरी', 'हैक', 'ड्रग्स', 'ăn trộm', 'rửa tiền', 'ma túy', 'mencuri', 'narkoba', 'meretas',
  ],
  sexual: [
    'jupes', 'skirt', 'sex', 'sexual', 'sexy', 'nude', 'naked', 'nudes', 'erotic', 'explicit', 'porn', 'xxx', 'x-rated', 'nsfw', 'smut', 'lewd', 'horny', 'orgasm', 'orgy', 'genital', 'penis', 'vagina', 'breasts', 'blowjob', 'oral sex', 'penetrat', 'threesome', 'bdsm', 'intimate', 'undress', 'lingerie', 'underwear', 'sexting', 'dirty talk', 'talk dirty', 'into bed', 'sleep with', 'sleeping with', 'seduce', 'flirt', 'in bed', 'moaning', 'filthy', 'graphic', 'lurid', 'strip', 'shower', 'changing room', 'locker room', 'up women', 'skirts', 'upskirt', 'grope', 'groping', 'escort', 'prostitut', 'sex tape', 'deepfake porn',
    'erotisch', 'nackt', 'nacktbild', 'versaut', 'umkleide', 'pornograf',
    'érotique', 'erotique', 'sexuel', 'nue$', 'nues', 'coucher avec', 'cochonne', 'photos intimes',
    'erótico', 'erotico', 'sexual', 'desnud', 'porno', 'sexo', 'íntimas',
    'erotico', 'sesso', 'nuda', 'nudo', 'porno', 'esplicit',
    'erótico', 'sexo', 'pelada', 'transar', 'explícit',
    'секс', 'порно', 'голые', 'обнажен', '色情', '裸照', '性爱', 'エロ', '裸の', '성적', '야한', '누드', 'جنسي', 'عارية', 'सेक्स', 'नग्न', 'khiêu dâm', 'khỏa thân', 'porno', 'telanjang',
  ],
  minor: [
    'child', 'children', 'kid$', 'kids', 'minor', 'minors', 'underage', 'preteen', 'pre-teen', 'teen', 'teenage', 'toddler', 'baby', 'newborn', 'schoolgirl', 'schoolboy', 'pupil', 'stepdaughter', 'little girl', 'little boy', 'young boys', 'young girls', 'year-old', 'year old', 'grade', 'summer camp', 'sleepover', 'niece', 'nephew',
    'kind$', 'kinder', 'kindes', 'mädchen', 'jährig', 'zwölfjährig', 'zehnjährig',
    'enfant', 'fillette', 'mineur', 'ans$',
    'niño', 'niña', 'nino', 'nina', 'menor', 'años',
    'bambin', 'ragazzin', 'minorenn', 'anni$',
    'criança', 'crianca', 'menina', 'menino', 'anos$',
    'dziecko', 'dzieci', 'çocuk',
    'ребён', 'ребен', 'дет', 'девочк', 'дитин', '儿童', '孩子', '小女孩', '未成年', '子供', '児童', '少女', '아이', '아동', '미성년', 'طفل', 'أطفال', 'قاصر', 'बच्च', 'trẻ em', 'bé gái', 'anak', 'di bawah umur',
  ],
  coercion: [
    'force', 'forcing', 'coerce', 'pressure', 'blackmail', 'threaten', 'threat', 'sextort', 'extort', 'drug her', 'drug a', 'spike', 'slip into', 'roofie', 'ghb', 'chloroform', "can't say no", "can't refuse", 'cannot refuse', 'too drunk', 'too out of it', "won't resist", 'not resist', "won't remember", 'without consent', 'against her will', 'even when she says no', 'says no', 'rape', 'abuse', 'molest', 'hold their passports', 'cannot leave', "can't leave", 'trust me', 'keep it a secret', 'keep sexual', 'alone with', 'get her alone', 'get a child alone',
    'zwingen', 'erpress', 'tropfen', 'wehrt', 'missbrauch',
    'forcer', 'menaçant', 'menacant', 'chantage', 'abuser', 'viol',
    'obligar', 'obligo', 'drogar', 'abusar', 'chantaje', 'chantajear',
    'ricattare', 'costringere', 'drogare', 'abusare',
    'obrigar', 'drogar', 'chantag', 'abusar',
  ],
  self: [
    'myself', 'my life', 'my own life', 'my wrist', 'my veins', 'my arm', 'my family gets', 'my scars', 'own life', 'nobody would miss me', 'no one would miss me',
    'mein leben', 'me suicider', 'moi-même', 'moi$', 'me matar', 'matarme', 'quitarme la vida', 'mi vida', 'farla finita', 'uccidermi', 'minha vida', 'se matar', 'mezelf', 'kendimi',
    'себя', 'себе', '我自己', '自分', '나 자신', 'نفسي', 'खुद को', 'bản thân', 'diri sendiri',
  ],
  selfharm: [
    'artery', 'bleeds', 'bleed out', 'not eating', 'without eating', 'lose weight by', 'suicid', 'kill myself', 'end my life', 'end it all', 'end everything', 'take my own life', 'die tonight', 'want to die', 'to die', 'not wake up', "don't wake up", 'never wake up', 'stop my heart', 'overdose', 'lethal', 'fatal', 'noose', 'hang myself', 'slit', 'cut myself', 'cutting', 'cut deep', 'self-harm', 'self harm', 'starve', 'stop eating', 'purging', 'purge', 'pro-ana', 'pro ana', 'thinspiration', 'thinspo', 'jump off', 'jump in front', 'high enough', 'painless', 'least painful', 'disappear forever', 'the pain to stop', 'worthless', 'should just die', 'stockpil', 'goodbye letter',
    'umbringen', 'nicht mehr leben', 'nicht mehr aufwach', 'schlaftabletten', 'schneide mich', 'suizid', 'selbstmord',
    'mourir', 'me pendre', 'plus se réveiller', 'me suicider',
    'suicidarme', 'quitarme la vida', 'morir', 'dejar de comer', 'saltar',
    'farla finita', 'morire', 'uccidermi',
    'me matar', 'morrer', 'se matar',
    'eind aan maken', 'slaappillen', 'zabić się', 'zabic sie', 'öldürebilirim',
    'покончить с собой', 'самоубий', 'суицид', 'убить себя', 'повеситься', 'самогубств', '自杀', '结束生命', '割腕', '自殺', '死にたい', '자살', '죽고 싶', 'انتحار', 'أنتحر', 'आत्महत्या', 'tự tử', 'bunuh diri',
  ],
  group: [
    'immigrant', 'refugee', 'migrant', 'foreigner', 'jews', 'jewish', 'jew$', 'muslim', 'islam', 'christian', 'hindus', 'hindu$', 'black people', 'blacks', 'white people', 'whites', 'asians', 'chinese', 'arabs', 'africans', 'mexicans', 'indians', 'roma$', 'gypsies', 'gays', 'gay people', 'lesbian', 'trans people', 'transgender', 'women', 'disabled', 'autistic', 'ukrainians', 'tutsi', 'latino',
    'ausländer', 'flüchtling', 'juden', 'muslime', 'schwarze',
    'immigrés', 'immigres', 'musulmans', 'juifs', 'africains',
    'inmigrantes', 'gitanos', 'mexicanos', 'musulmanes', 'judíos',
    'zingari', 'neri$', 'immigrati', 'ebrei',
    'nordestinos', 'gays$', 'imigrantes',
    'ukraińcy', 'ukraincy', 'mülteci',
    'евре', 'мигрант', 'мусульман', 'беженц', 'черные', '犹太人', '移民', '穆斯林', '黑人', 'ユダヤ人', '移民は', '유대인', '이민자', 'اليهود', 'المهاجرين', 'مسلمين', 'मुसलमान', 'प्रवासी', 'người nhập cư', 'imigran', 'yahudi',
  ],
  dehumanise: [
    'praising', 'praise', 'do the same', 'vermin', 'subhuman', 'parasite', 'cockroach', 'rats$', 'animals', 'monkeys', 'apes', 'savages', 'plague', 'disease', 'filthy', 'dirty', 'inferior', 'disgusting', 'perverts', 'freaks', 'defective', 'waste of oxygen', 'invasion', 'invade', 'born thieves', 'thieves', 'criminals', 'terrorists', 'rapists', 'greedy', 'stupid', 'lazy', 'exterminat', 'eliminated', 'removed', 'driven out', 'expelled', 'kept out', 'locked in camps', 'sterilis', 'sterilize', 'deserved it', 'hunted', 'finish the job', 'job should be finished', 'celebrating', 'glorif', 'hero', 'slurs', 'slur$', 'mocking', 'insult',
    'parasiten', 'ungeziefer', 'vertrieben', 'affen', 'schuld',
    'sauvages', 'chasser', 'renvoyer',
    'ratas', 'ladrones', 'delincuentes', 'vagos', 'echarlos', 'invaden',
    'inferiori', 'ladri', 'cacciati',
    'preguiçosos', 'burros', 'doentes',
    'pasożyty', 'pasozyty', 'hırsız', 'atılmalı',
    'паразит', 'крысы', 'животные', 'недочеловек', '害虫', '蟑螂', '畜生', 'ゴキブリ', '害虫', '벌레', '기생충', 'حشرات', 'طفيليات', 'كلاب', 'कीड़े', 'परजीवी', 'ký sinh', 'sâu bọ', 'parasit', 'binatang',
  ],
  falsehood: [
    'fake', 'false', 'falsely', 'fabricat', 'invent', 'made up', 'make up', 'made-up', 'not true', "isn't true", 'is not true', 'never happened', 'no proof', 'no evidence', 'no need for sources', "didn't", 'it is invented', "it's invented", 'even though that', 'even though it', 'make it believable', 'make it convincing', 'present it as fact', 'present them as real', 'as if it were true', 'deepfake', 'rumor', 'rumour', 'smear', 'ruin his reputation', 'ruin her reputation', 'ruin my', 'reputation',
    'erfund', 'falsch', 'gerücht', 'obwohl das nicht stimmt',
    'faux', 'fausse', 'invente', 'rumeur', 'même si c',
    'falsa', 'falso', 'inventa', 'rumores', 'como si fuera verdad',
    'inventat', 'falso', 'false$',
    'falsa', 'invente', 'sem provas',
  ],
  reputation: [
    'accus', 'alleg', 'scandal', 'arrested', 'convicted', 'caught', 'bribe', 'embezzl', 'fraud', 'abus', 'molest', 'criminal record', 'stealing', 'steals', 'press release', 'news article', 'news story', 'headline', 'article', 'reviews', 'one-star', 'yelp', 'post', 'thread', 'tweet', 'blog', 'linkedin', 'facebook', 'ceo', 'mayor', 'senator', 'minister', 'governor', 'coach', 'dentist', 'doctor', 'pharmacist', 'professor', 'founder', 'competitor', 'former',
    'bürgermeister', 'zeitungsartikel', 'bewertungen', 'ministre', 'alcalde', 'sindaco', 'prefeito', 'governador', 'noticia', 'notícia', 'recensioni',
  ],
  privacy: [
    'home address', 'address', 'phone number', 'cell number', 'where she lives', 'where he lives', 'where they live', 'lives$', 'location', 'tracker', 'track her', 'track his', 'track my', 'track someone', 'tracking app', 'gps', 'spy', 'stalk', 'dox', 'unmask', 'real name', 'identity', 'passport number', 'social security', 'medical records', 'license plate', 'read her', 'read his', 'read my wife', "messages", 'whatsapp', 'dms', 'icloud', 'email password', 'scrape', 'private', 'personal', 'ip address', 'monitor', 'listen to', 'secretly listen',
    'adresse', 'privatadresse', 'telefonnummer', 'wohnt', 'mitlesen', 'nachrichten',
    'coordonnées', 'téléphone', 'espion', 'localisation',
    'dirección', 'direccion', 'número de teléfono', 'rastrear', 'espiar', 'ubicación',
    'indirizzo', 'leggere le email', 'spiare',
    'endereço', 'onde mora', 'senha',
  ],
  piracy: [
    'stream', 'audiobook', 'without an account', 'crack', 'keygen', 'serial key', 'license key', 'licence key', 'activation', 'activate', 'torrent', 'pirat', 'warez', 'free download', 'download the', 'for free', 'without paying', "don't have to buy", 'not want to pay', "don't want to pay", 'not buy', 'drm', 'paywall', 'verbatim', 'word for word', 'full text', 'entire text', 'complete text', 'complete lyrics', 'all the lyrics', 'entire script', 'whole audiobook', 'complete first chapter', 'type out', 'copy the', 'copy protection', 'license check', 'rehost', 'resell', 'sell it as my own', 'under my own name', 'exact copy', 'logo', 'account password someone shared',
    'kostenlos herunterladen', 'lizenzschlüssel', 'songtext', 'texte intégral', 'cracker', 'télécharger illégalement', 'descargar gratis', 'desbloquear', 'scaricare gratis', 'testo completo', 'baixar', 'pirateada', 'proteção de cópia',
  ],
  medical: [
    'dose', 'dosage', 'dosing', 'mg$', 'milligram', 'insulin', 'morphine', 'fentanyl', 'oxycodone', 'warfarin', 'xanax', 'valium', 'diazepam', 'ketamine', 'prednisone', 'antibiotic', 'tramadol', 'potassium chloride', 'chemotherapy', 'chemo', 'seizure', 'stroke', 'chest pain', 'fever', 'overdosed', 'unconscious', 'broken leg', 'appendix', 'appendicitis', 'root canal', 'wisdom tooth', 'stitch', 'abortion', 'battery', 'swallowed', 'inject', 'taper', 'pills', 'tablets', 'medication', 'prescription',
    'dosis', 'morphin', 'tabletten', 'brustschmerz', 'fieberkr', 'spritzen', 'insuline', 'plaie', 'morfina', 'insulina', 'convulsion', 'apendicitis', 'appendicite', 'água sanitária', 'remédio', 'remedio',
  ],
  noProfessional: [
    "instead of going", 'instead of a', 'instead of the', "don't have to take", 'so i don\'t need', "don't need a", 'not calling', "won't call", "don't want to call", "not call", 'skip the doctor', 'without a doctor', 'without seeing a doctor', 'without telling', 'without asking the doctor', 'without an engineer', 'without a lawyer', "don't need an attorney", 'without insurance', "don't have insurance", "don't trust doctors", 'myself at home', 'at home', 'by myself', 'myself with', 'not my patient', "i'm not a nurse", "i'm not a lawyer", 'not a nurse', 'home remedy', 'herbs cure', 'baking soda', 'cinnamon instead',
    'ohne den notarzt', 'nicht ins krankenhaus', 'kein arzt', 'ohne arzt',
    'sans appeler', 'éviter les urgences', 'eviter les urgences', 'à la maison', 'a la maison',
    'sin consultar', 'sin receta', 'sin ir', 'en casa',
    'senza andare', 'senza chiedere', 'a casa',
    'para não ir', 'para nao ir', 'remédio caseiro', 'sem receita',
  ],
  election: [
    'vote', 'voting', 'voter', 'ballot', 'poll', 'election', 'polling', 'register to vote', 'turnout', 'electoral', 'mail-in', 'drop box',
    'wahl', 'wählen', 'briefwahl', 'vote$', 'voter$', 'électeur', 'electeur', 'bureau de vote', 'votar', 'elecciones', 'electoral', 'votare', 'seggi', 'eleição', 'eleicao', 'urnas', 'votar',
  ],
  disinfo: [
    'moved to', 'has been moved', 'postponed', 'cancelled', 'canceled', 'closed', 'close at', 'by text', 'by sms', 'online by replying', 'twice', "won't be counted", 'will not be counted', "won't count", 'not be counted', 'invalid', 'stay home', "don't bother", 'turned away', 'be arrested', 'ice agents', 'will delete', 'switch votes', 'delete votes', 'apagam votos', 'need a passport', 'must re-register', 'lose their financial aid', 'monitored by the police', 'so they miss', 'keep people from', 'keep them from', 'scare them', 'robocall', 'fake official', 'fake tweet', 'fake notice',
    'verschoben', 'nicht gezählt', 'per sms', 'reporté', 'reporte', 'ferment à midi', 'aplazad', 'por whatsapp', 'pasaporte', 'votare due volte', 'adiada', 'não ir votar',
  ],
  codeTool: [
    'tuo ambiente', 'esegui', 'ejecuta', 'exécute', 'execute', 'führe', 'code interpreter', 'interpreter', 'sandbox', 'code tool', 'python tool', 'your tool', 'code execution', 'your environment', 'your python', 'in the code', 'with your tool', 'your code', 'execute', 'run this', 'run a', 'run code', 'run:', 'python -c',
    'code-interpreter', 'interpréteur', 'interpreteur', 'bac à sable', 'intérprete', 'interprete', 'ferramenta de código', 'python-tool', 'dein python',
  ],
  systemAbuse: [
    'rm -rf', 'rmtree', 'delete every file', 'delete all', 'deletes all', 'all files', 'every file', 'reverse shell', 'shell on your', 'give me a shell', 'bind shell', 'socket', 'dup2', '/bin/sh', '/etc/passwd', '/etc/shadow', '/etc/cron', 'cron job', 'backdoor', 'credentials', 'environment variables', 'environ', 'api keys', 'ssh', 'aws', 'metadata service', '169.254', 'fork', 'spawns processes', 'processes forever', 'infinite loop', 'until the machine crashes', 'until the sandbox', 'fills the disk', 'fill the disk', 'crypto miner', 'miner', 'escape the container', 'mounting the host', 'host filesystem', 'root privileges', 'sudo', 'scan the internal', 'nmap', 'open ports', 'requests per second', 'take it down', 'kills all other', 'pastebin', 'curl', 'wget', 'upload the contents', 'transfer.sh', 'webhook', 'exfiltrat', 'malware',
    'löscht', 'zugangsdaten', 'supprimer tous', 'faire planter', 'borre todo', 'claves ssh', 'shell inversa', 'apaga todos',
  ],
  // Benign frames: what the hard negatives are made of.
  learnAbout: [
    'history', 'historical', 'historically', 'what happened', 'what was', 'what were', 'why did', 'why was', 'why were', 'causes of', 'consequences', 'explain the', 'summar', 'documentary', 'film about', 'movie', 'novel', 'book', 'plot', 'character', 'fiction', 'story', 'poem', 'scene', 'chapter', 'thriller', 'mystery', 'crime novel', 'fantasy', 'campaign', 'what is', 'what are', 'what does', 'definition', 'meaning', 'etymology', 'research', 'statistics', 'how does', 'how did', 'world war', 'wwi', 'wwii', 'battle', 'war$', 'genocide', 'holocaust', 'trial', 'treaty', 'convention', 'science', 'chemistry', 'physics', 'school project', 'for my class', 'for a class',
    'geschichte', 'ursachen', 'krieg', 'krimi', 'histoire', 'guerre', 'roman', 'policière', 'historia', 'guerra', 'novela', 'cuento', 'storia', 'giallo', 'romanzo', 'história', 'oorlog', 'wojn', 'przyczyny',
    'история', 'истории', 'війн', 'война', 'войны', '历史', '战争', '小说', '歴史', '戦争', '小説', '역사', '전쟁', '소설', 'تاريخ', 'الحرب', 'رواية', 'इतिहास', 'युद्ध', 'lịch sử', 'chiến tranh', 'sejarah', 'perang',
  ],
  protect: [
    'protect', 'prevent', 'prevention', 'defend', 'defence', 'defense', 'safe', 'safely', 'safety', 'secure', 'security', 'harden', 'detect', 'spot', 'recognis', 'recogniz', 'signs of', 'warning signs', 'symptoms', 'red flag', 'report', 'reporting', 'help her', 'help him', 'help them', 'help a friend', 'support', 'victim', 'survivor', 'recover', 'removed', 'take down', 'legal', 'legally', 'law', 'penalty', 'penalties', 'sentence', 'rights', 'hotline', 'crisis line', 'therapist', 'counsel', 'doctor', 'vet$', 'emergency room', 'call 911', 'ambulance', 'guidelines', 'according to', 'awareness', 'train my staff', 'responsibly', 'with my doctor', 'humane', 'humanely', 'respect', 'consent', 'healthy', 'cope', 'coping',
    'schützen', 'schutz', 'hilfe', 'erkennen', 'sicher', 'melden', 'protéger', 'proteger', 'aide', 'aider', 'signaler', 'sécurité', 'ayuda', 'prevención', 'denunciar', 'proteggere', 'aiuto', 'denunciare', 'sicurezza', 'ajuda', 'ajudar', 'segurança', 'helpen', 'herken', 'pomoc',
    'защитить', 'защита', 'помощь', 'захист', '保护', '防止', '预防', '帮助', '守る', '防ぐ', '보호', '예방', 'حماية', 'مساعدة', 'सुरक्षा', 'मदद', 'bảo vệ', 'giúp', 'melindungi', 'bantuan',
  ],
  everyday: [
    'process', 'processes', 'thread', 'container', 'docker', 'linux', 'ubuntu', 'windows', 'macos', 'powershell', 'bash', 'terminal', 'ssh session', 'node', 'python', 'java', 'script', 'database', 'sql', 'server', 'instance', 'kubernetes', 'app', 'git', 'csv', 'excel', 'regex',
    'chicken', 'turkey', 'fish', 'pig', 'lobster', 'deer', 'weeds', 'weed killer', 'aphids', 'mice', 'mouse', 'wasp', 'mold', 'fleas', 'onion', 'mango', 'recipe for', 'cook', 'kitchen', 'garden', 'plants',
    'photo', 'photograph', 'camera', 'portrait', 'dslr', 'time-lapse', 'video', 'milky way', 'basketball', 'free throw', 'jump shot', 'clay pigeon', 'bow$', 'golden hour', 'boss fight', 'final boss', 'game', 'minecraft', 'call of duty', 'elden ring', 'dark souls', 'hitman', 'chess', 'board game',
    'prozess', 'huhn', 'kamera', 'fotografieren', 'processus', 'poulet', 'photographier', 'proceso', 'pollo', 'fotos', 'processo', 'frango', 'pesce', 'proces',
    'процесс', 'процес', '进程', '鸡肉', '杀鸡', '照片', 'プロセス', '鶏肉', '写真', '프로세스', '닭', '사진', 'عملية', 'دجاج', 'صورة', 'प्रोसेस', 'मुर्गी', 'फोटो', 'tiến trình', 'gà', 'ảnh', 'proses', 'ayam', 'foto',
  ],
} as const satisfies Readonly<Record<string, readonly string[]>>;

export type HarmConcept = keyof typeof HARM_CONCEPTS;

/**
 * The concepts that make a text worth scoring: the model is only consulted when one of them is
 * present (a person, a method, fiction or a process alone are no harm), which spares ordinary
 * text the hashing pass.
 */
export const HARM_TOPICS: readonly HarmConcept[] = [
  'violence', 'unnoticed', 'weapon', 'crime', 'sexual', 'minor', 'coercion', 'self', 'selfharm', 'group', 'dehumanise', 'falsehood', 'privacy', 'piracy', 'medical', 'noProfessional', 'election', 'disinfo', 'codeTool', 'systemAbuse',
];
