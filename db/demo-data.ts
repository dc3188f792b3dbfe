// Content for the demo campaign. Twelve languages ordered by how often they appear (Zipf-like), each with a
// few real phrases so the text looks like what a researcher would import.

export type DemoLanguage = { code: string; name: string; prompts: string[]; answers: string[] };

export const demoLanguages: DemoLanguage[] = [
  { code: "en", name: "English", prompts: ["How do I boil an egg so the yolk stays soft?", "Explain what a leap year is.", "Summarise the water cycle in two sentences."], answers: ["Bring water to a boil, lower the egg in, cook for six minutes, then cool it in cold water.", "A leap year has 366 days; February gets a 29th day every four years, with century exceptions.", "Water evaporates, condenses into clouds and falls as rain; it then flows back to the sea."] },
  { code: "es", name: "Spanish", prompts: ["¿Cómo se dice 'library' en español?", "Explica qué es la fotosíntesis.", "¿Cuál es la capital de Chile?"], answers: ["Se dice «biblioteca»; «librería» es una tienda de libros.", "Las plantas usan la luz del sol para convertir agua y CO₂ en azúcar y oxígeno.", "La capital de Chile es Santiago."] },
  { code: "zh", name: "Chinese", prompts: ["请解释什么是光合作用。", "北京有哪些著名景点？", "如何用中文礼貌地拒绝邀请？"], answers: ["光合作用是植物利用阳光把水和二氧化碳转化为葡萄糖和氧气的过程。", "故宫、长城、天坛和颐和园都很有名。", "可以说：“非常感谢您的邀请，可惜我那天有事，下次一定参加。”"] },
  { code: "hi", name: "Hindi", prompts: ["भारत की राजधानी क्या है?", "बारिश कैसे होती है?", "एक अच्छी नींद के लिए क्या करें?"], answers: ["भारत की राजधानी नई दिल्ली है।", "सूरज की गर्मी से पानी भाप बनता है, बादल बनते हैं और फिर बारिश होती है।", "रोज़ एक ही समय पर सोएँ और सोने से पहले स्क्रीन से दूर रहें।"] },
  { code: "ar", name: "Arabic", prompts: ["ما هي عاصمة المغرب؟", "اشرح معنى كلمة «تضامن».", "كيف أتعلم البرمجة؟"], answers: ["عاصمة المغرب هي الرباط.", "التضامن هو وقوف الناس معًا ودعم بعضهم بعضًا.", "ابدأ بلغة بسيطة مثل بايثون وتدرّب كل يوم على مشاريع صغيرة."] },
  { code: "fr", name: "French", prompts: ["Comment conjuguer « aller » au futur ?", "Qu'est-ce qu'un volcan ?", "Donne une recette simple de crêpes."], answers: ["J'irai, tu iras, il ira, nous irons, vous irez, ils iront.", "Une ouverture de la croûte terrestre par laquelle sortent lave, gaz et cendres.", "Mélangez farine, œufs, lait et une pincée de sel, puis faites cuire à la poêle."] },
  { code: "pt", name: "Portuguese", prompts: ["Qual é o maior rio do Brasil?", "Explique o que é inflação.", "Como se diz 'thank you' em português?"], answers: ["O rio Amazonas é o maior do Brasil.", "Inflação é o aumento geral dos preços ao longo do tempo.", "Diz-se «obrigado» ou «obrigada»."] },
  { code: "ru", name: "Russian", prompts: ["Что такое гравитация?", "Как приготовить борщ?", "Назови три русских писателя."], answers: ["Гравитация — это сила притяжения между телами, имеющими массу.", "Сварите бульон, добавьте свёклу, капусту, картофель и томат.", "Толстой, Достоевский и Чехов."] },
  { code: "sw", name: "Swahili", prompts: ["Mji mkuu wa Kenya ni upi?", "Eleza maana ya 'harambee'.", "Ninawezaje kujifunza Kiswahili haraka?"], answers: ["Mji mkuu wa Kenya ni Nairobi.", "Harambee ni kuvuta pamoja, kushirikiana kwa ajili ya jambo moja.", "Ongea na wazungumzaji kila siku na usome hadithi fupi."] },
  { code: "yo", name: "Yoruba", prompts: ["Kí ni olú-ìlú Nàìjíríà?", "Ṣàlàyé ọ̀rọ̀ 'ọmọlúàbí'.", "Báwo ni a ṣe ń kí ènìyàn ní òwúrọ̀?"], answers: ["Abuja ni olú-ìlú Nàìjíríà.", "Ọmọlúàbí ni ènìyàn tí ó ní ìwà rere àti ọ̀wọ̀.", "A máa ń sọ pé «Ẹ káàárọ̀»."] },
  { code: "qu", name: "Quechua", prompts: ["Imataq Inti Raymi?", "Imaynatataq 'allin p'unchay' nisqa?", "Maypitaq Qusqu llaqta kachkan?"], answers: ["Inti Raymiqa Intiq hatun raymin, Qusqupi ruwakun.", "'Allin p'unchay' ninchik punchawpi napaykunapaq.", "Qusquqa Perú suyupi, Andes urqukunapi kachkan."] },
  { code: "fo", name: "Faroese", prompts: ["Hvør er høvuðsstaðurin í Føroyum?", "Hvat er grind?", "Hvussu sigur man 'góðan morgun'?"], answers: ["Høvuðsstaðurin er Tórshavn.", "Grind er gamal føroyskur siður at dráva grindahval.", "Man sigur «Góðan morgun»."] },
];

export const demoUsers = [
  { email: "researcher@margin.demo", name: "Rosa Researcher", role: "researcher", languages: ["en", "es"] },
  { email: "ada@margin.demo", name: "Ada Contributor", role: "contributor", languages: ["en", "fr", "sw"] },
  { email: "bayo@margin.demo", name: "Bayo Contributor", role: "contributor", languages: ["en", "yo", "pt"] },
  { email: "chen@margin.demo", name: "Chen Contributor", role: "contributor", languages: ["zh", "en", "ru"] },
  { email: "auditor@margin.demo", name: "Aud Auditor", role: "auditor", languages: ["en"] },
  { email: "admin@margin.demo", name: "Ada Admin", role: "admin", languages: ["en"] },
] as const;

/** Documented in the README; demo only. Change or delete these accounts on a real deployment. */
export const DEMO_PASSWORD = "margin-demo";
