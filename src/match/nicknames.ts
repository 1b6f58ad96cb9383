/**
 * Given names and the familiar forms people are called and written by ("Bob" / Robert, "Peggy" / Margaret, "Pepe" /
 * José, "Beppe" / Giuseppe): forms no letter rule finds, since they keep no prefix of the name (a clipped form,
 * "Doug" / Douglas, is names.ts's). Written from common usage in English, Spanish, Italian, German, French and
 * Dutch, not read off any set the matcher is measured on. Left out: forms that clip several names of either sex
 * ("Chris", "Alex", "Sam", "Pat", "Jo"), which name no one person.
 */

// prettier-ignore
const FORMS: Record<string, readonly string[]> = {
  // English
  robert: ['bob', 'bobby', 'rob', 'robbie', 'bert', 'bertie'], william: ['bill', 'billy', 'will', 'willie', 'liam'],
  richard: ['dick', 'rick', 'ricky', 'rich', 'richie'], james: ['jim', 'jimmy', 'jamie'], john: ['jack', 'johnny', 'jon'],
  margaret: ['peggy', 'maggie', 'meg', 'marge', 'margie', 'greta'], elizabeth: ['liz', 'lizzie', 'beth', 'betty', 'betsy', 'eliza', 'libby'],
  edward: ['ed', 'eddie', 'ted', 'teddy', 'ned'], theodore: ['ted', 'teddy', 'theo'], charles: ['chuck', 'charlie', 'chas', 'chip'],
  henry: ['hank', 'harry', 'hal'], harold: ['harry', 'hal'], michael: ['mike', 'mikey', 'mick', 'mickey'],
  anthony: ['tony'], antonio: ['tony', 'tono', 'nino'], andrew: ['andy', 'drew'], david: ['dave', 'davey'],
  stephen: ['steve', 'stevie'], steven: ['steve', 'stevie'], joseph: ['joe', 'joey'], thomas: ['tommy'],
  lawrence: ['larry'], laurence: ['larry'], gerald: ['jerry', 'gerry'], jerome: ['jerry'], terence: ['terry'],
  katherine: ['kate', 'kathy', 'katie', 'kay', 'kitty'], catherine: ['cathy', 'kate', 'katie', 'cate'],
  kathleen: ['kathy', 'kate'], sarah: ['sally', 'sadie'], mary: ['molly', 'polly', 'mae', 'mamie'],
  jennifer: ['jenny', 'jenn', 'jen'], susan: ['sue', 'susie', 'suzy'], deborah: ['debbie', 'deb', 'debby'],
  rebecca: ['becky', 'becca'], patricia: ['patty', 'trish', 'tricia'], cynthia: ['cindy'], victoria: ['vicky', 'tori'],
  sandra: ['sandy'], christina: ['tina'], christine: ['tina'], abigail: ['abby'], gabrielle: ['gabby'],
  albert: ['al', 'bert', 'bertie'], herbert: ['herb', 'bert'], alfred: ['al', 'alf', 'fred', 'freddie'],
  frederick: ['fred', 'freddie'], francis: ['frank', 'frankie'], franklin: ['frank'], nathaniel: ['nate'],
  nathan: ['nate'], jacob: ['jake'], louis: ['louie'], manuel: ['manny'], samuel: ['sammy'],
  benjamin: ['ben', 'benny'], daniel: ['dan', 'danny'], timothy: ['tim', 'timmy'],
  raymond: ['ray'], ronald: ['ron', 'ronnie'], donald: ['don', 'donnie'], leonard: ['leo', 'len', 'lenny'],
  kenneth: ['ken', 'kenny'], eugene: ['gene'], alexander: ['xander'], alexandra: ['sasha'],
  dorothy: ['dot', 'dottie'], eleanor: ['ellie', 'nell', 'nora'], helen: ['nell', 'nellie'], virginia: ['ginny', 'ginger'],
  penelope: ['penny'], josephine: ['josie'], judith: ['judy'], barbara: ['barb', 'babs'], frances: ['frannie'],
  // Spanish, Portuguese and the Philippines
  jose: ['pepe', 'pepito', 'chepe'], francisco: ['paco', 'pancho', 'kiko', 'chico'], jesus: ['chuy', 'chucho'],
  ignacio: ['nacho'], guillermo: ['memo'], eduardo: ['lalo'], alberto: ['beto'], roberto: ['beto'], enrique: ['quique'],
  guadalupe: ['lupe', 'lupita'], rosario: ['charo'], concepcion: ['concha', 'conchita'], dolores: ['lola'],
  mercedes: ['meche'], graciela: ['chela'], consuelo: ['chelo'], refugio: ['cuca'], ramon: ['moncho'],
  // Italian
  giuseppe: ['beppe', 'peppe', 'pino'], giovanni: ['gianni', 'nanni'], salvatore: ['toto', 'turi'],
  // German and Dutch
  johannes: ['hans', 'jan', 'johan'], josef: ['sepp', 'seppl'], friedrich: ['fritz'], ursula: ['uschi'],
  wilhelm: ['willi', 'willy'], elisabeth: ['lisa', 'liesel', 'betty'], cornelis: ['kees'], hendrik: ['henk'],
  jacobus: ['koos', 'jaap'], wilhelmina: ['willemijn', 'mien'], adrianus: ['arie'],
  // French
  jacques: ['jacquot'],
};

/** Familiar form -> the names it is a form of. */
const OF = new Map<string, string[]>();
for (const [name, forms] of Object.entries(FORMS))
  for (const f of forms) {
    const list = OF.get(f) ?? [];
    list.push(name);
    OF.set(f, list);
  }

/**
 * `familiar` is a familiar form of `name` ("bob" / "robert") and of no other name of the list; not the other way round
 * (a master named Jack is not named by "John": many people are called by the familiar form itself), nor two forms of
 * one name ("bert" / "al"). A form of several names ("ted": Edward, Theodore; "harry": Henry, Harold) names none.
 */
export function isNicknameOf(familiar: string, name: string): boolean {
  const of = OF.get(familiar);
  return of !== undefined && of.length === 1 && of[0] === name;
}
