/**
 * Given names and the familiar forms people are called and written by ("Bob" / Robert, "Peggy" / Margaret, "Pepe" /
 * José, "Beppe" / Giuseppe): forms no letter rule finds, since they keep no prefix of the name (a clipped form,
 * "Doug" / Douglas, is names.ts's). Written from common usage in English, Spanish, Italian, German, French and
 * Dutch, not read off any set the matcher is measured on. Left out: forms that clip several names of either sex
 * ("Chris", "Alex", "Sam", "Pat", "Jo"), which name no one person, and forms that are often a person's own given
 * name (Jack, Liam, Lisa, Jan, Greta, Jamie, Tina, Hans, Charlie …): a Jack Murphy is not John Murphy.
 */

// prettier-ignore
const FORMS: Record<string, readonly string[]> = {
  // English
  robert: ['bob', 'bobby', 'rob', 'robbie', 'bert', 'bertie'], william: ['bill', 'billy', 'will', 'willie'],
  richard: ['dick', 'rick', 'ricky', 'rich', 'richie'], james: ['jim', 'jimmy'], john: ['johnny', 'jon'],
  margaret: ['peggy', 'maggie', 'meg', 'marge', 'margie'], elizabeth: ['liz', 'lizzie', 'betty', 'betsy'],
  edward: ['ed', 'eddie', 'ted', 'teddy', 'ned'], theodore: ['ted', 'teddy'], charles: ['chuck', 'chas', 'chip'],
  henry: ['hank', 'harry', 'hal'], harold: ['harry', 'hal'], michael: ['mike', 'mikey', 'mick', 'mickey'],
  anthony: ['tony'], antonio: ['tony', 'tono'], andrew: ['andy'], david: ['dave', 'davey'],
  stephen: ['steve', 'stevie'], steven: ['steve', 'stevie'], joseph: ['joe', 'joey'], thomas: ['tommy'],
  lawrence: ['larry'], laurence: ['larry'], gerald: ['jerry', 'gerry'], jerome: ['jerry'], terence: ['terry'],
  katherine: ['kate', 'kathy', 'katie', 'kitty'], catherine: ['cathy', 'kate', 'katie', 'cate'],
  kathleen: ['kathy', 'kate'], sarah: ['sally'], mary: ['molly', 'polly'],
  jennifer: ['jenny', 'jenn', 'jen'], susan: ['sue', 'susie', 'suzy'], deborah: ['debbie', 'deb', 'debby'],
  rebecca: ['becky', 'becca'], patricia: ['patty', 'trish', 'tricia'], cynthia: ['cindy'], victoria: ['vicky'],
  sandra: ['sandy'], abigail: ['abby'], gabrielle: ['gabby'],
  albert: ['al', 'bert', 'bertie'], herbert: ['herb', 'bert'], alfred: ['al', 'alf', 'fred', 'freddie'],
  frederick: ['fred', 'freddie'], francis: ['frank', 'frankie'], franklin: ['frank'], nathaniel: ['nate'],
  nathan: ['nate'], jacob: ['jake'], louis: ['louie'], manuel: ['manny'], samuel: ['sammy'],
  benjamin: ['ben', 'benny'], daniel: ['dan', 'danny'], timothy: ['tim', 'timmy'],
  raymond: ['ray'], ronald: ['ron', 'ronnie'], donald: ['don', 'donnie'], leonard: ['len', 'lenny'],
  kenneth: ['ken', 'kenny'], eugene: ['gene'],
  dorothy: ['dot', 'dottie'], eleanor: ['ellie'], virginia: ['ginny'],
  judith: ['judy'], barbara: ['barb', 'babs'], frances: ['frannie'],
  // Spanish, Portuguese and the Philippines
  jose: ['pepe', 'pepito', 'chepe'], francisco: ['paco', 'pancho'], jesus: ['chuy', 'chucho'],
  ignacio: ['nacho'], guillermo: ['memo'], eduardo: ['lalo'], alberto: ['beto'], roberto: ['beto'], enrique: ['quique'],
  guadalupe: ['lupe', 'lupita'], rosario: ['charo'], concepcion: ['concha', 'conchita'],
  mercedes: ['meche'], graciela: ['chela'], consuelo: ['chelo'], refugio: ['cuca'], ramon: ['moncho'],
  // Italian
  giuseppe: ['beppe', 'peppe', 'pino'], giovanni: ['gianni', 'nanni'], salvatore: ['toto', 'turi'],
  // German and Dutch
  josef: ['sepp', 'seppl'], friedrich: ['fritz'], ursula: ['uschi'],
  wilhelm: ['willi', 'willy'], elisabeth: ['liesel', 'betty'], cornelis: ['kees'], hendrik: ['henk'],
  jacobus: ['koos', 'jaap'], wilhelmina: ['mien'], adrianus: ['arie'],
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
 * `familiar` is a familiar form of `name` ("bob" / "robert"); not the other way round (a master named Bob is not named
 * by "Robert"), nor two forms of one name ("bert" / "al"). A form of several names of one sex ("ted": Edward,
 * Theodore; "steve": Stephen, Steven) is a form of each: two masters it names tie, and a tie is never linked.
 */
export function isNicknameOf(familiar: string, name: string): boolean {
  return OF.get(familiar)?.includes(name) === true;
}
