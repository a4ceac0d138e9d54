import { demoImages } from './images.js';
import type { DemoContent } from './types.js';

/**
 * Willowfold: the family blog Hearth shows on first start. Every sentence here is Hearth's own.
 * The main post, `benefits-of-infant-massage`, exercises every part of a post page: category,
 * editor's note, P.S., inline figures with captions, a how-to, a link to another post, and comments.
 */
export const demoContent: DemoContent = {
  site: {
    title: 'Willowfold',
    tagline: 'Gentle parenting and greener living, one ordinary day at a time',
    description:
      'Willowfold is a family blog about natural parenting and green living, with hands-on ideas for little ones, simple seasonal food and a lighter footprint at home, written by Maren Ashby and the friends she invites to share the page.',
  },

  authors: [
    {
      key: 'maren',
      name: 'Maren Ashby',
      slug: 'maren-ashby',
      email: 'maren@example.com',
      bio: 'Maren is a certified infant massage instructor who has been teaching parents for fourteen years, and a mother of three. She started Willowfold to keep track of the small, green, hands-on habits that make family life a little gentler.',
      role: 'administrator',
      avatar: 'avatar-maren',
    },
    {
      key: 'tess',
      name: 'Tess Okafor',
      slug: 'tess-okafor',
      email: 'tess.okafor@example.org',
      bio: 'Tess is a first-time mum to Idris, a part-time librarian, and a convert to baby massage since an evening class above her local library. She writes about the small rituals that got her through the first year.',
      role: 'contributor',
      avatar: 'avatar-tess',
    },
    {
      key: 'jonah',
      name: 'Jonah Pereira',
      slug: 'jonah-pereira',
      email: 'jonah@example.com',
      bio: 'Jonah is a carpenter turned stay-at-home dad who carried his daughter Nell almost everywhere in her first year. He wrote our very first guest post, and still turns up with practical tips and the odd handmade shelf.',
      role: 'author',
      avatar: 'avatar-jonah',
    },
  ],

  categories: [
    {
      slug: 'green-living',
      name: 'Green Living',
      description:
        'Small, practical changes for a lighter footprint at home, from the nursery to the cleaning cupboard.',
    },
    {
      slug: 'natural-parenting',
      name: 'Natural Parenting',
      description:
        'Gentle, hands-on ideas for raising little ones with closeness, patience and plenty of common sense.',
    },
    {
      slug: 'family-kitchen',
      name: 'Family Kitchen',
      description: 'Simple, seasonal food that feeds babies, toddlers and tired grown-ups from the same pot.',
    },
    {
      slug: 'home-garden',
      name: 'Home & Garden',
      description: 'Growing, mending and making do, from a balcony full of herbs to the sewing basket.',
    },
  ],

  images: demoImages,

  posts: [
    // -------------------------------------------------------------------------------------------
    {
      slug: 'benefits-of-infant-massage',
      title: 'Benefits of Infant Massage',
      excerpt:
        'Guest writer Tess Okafor on how ten quiet minutes on a towel changed her evenings with her son, and a simple step-by-step routine to try at home.',
      category: 'green-living',
      tags: ['infant massage', 'babies', 'bonding', 'guest post'],
      author: 'tess',
      publishedAt: '2026-10-20T08:30:00Z',
      featureImage: 'massage-feature',
      editorNote: {
        author: 'maren',
        body: `Hello, I'm Maren. Some of you know me from this blog and some from my classes: I've been a certified infant massage instructor for fourteen years now, and I've shown a good few hundred parents how to rub a little oil into a pair of very small feet. For almost as long, I've been promising myself that I'd write an e-book on infant and toddler massage. It is still, I'm afraid, mostly a folder of notes.

So while I keep chipping away at it, I'm handing the page to someone who can tell you what massage feels like from the parent's side of the towel. **Tess Okafor** came to one of my evening classes with her son when he was six weeks old, and she hasn't stopped since. Over to you, Tess.`,
      },
      body: `::: ps
**P.S. about the pictures:** the babies you'll see below are my son Idris, who was seven months old at the time, and my niece Lumi, who was four months. Their parents (Sam and me, and my sister Ruth and her husband Kit) were all happy for the pictures to be shared here on Willowfold.
:::

When Maren asked whether I'd write something for Willowfold, my first thought was that I'm not an expert in anything, except possibly getting a wriggling baby into a vest while he tries to crawl under the bed. My second thought was that I will talk about baby massage to anyone who stands still long enough. So here we are.

## How we started

Idris was a loud baby. Not unhappy, exactly, just very sure of his opinions, and his opinions were at their strongest between about six and nine every evening. I had read all the advice and tried most of it, sometimes all in the same evening. A friend from my antenatal group mentioned a massage class in the room above the library, and I went along mostly because the room was warm, the first session was free, and somebody else would be in charge for an hour.

That somebody was Maren. She gave each of us a towel and a saucer with a little oil in it, and before we touched our babies at all she showed us how to ask them whether they were in the mood. I felt a bit silly at first, asking a six-week-old for permission. But the asking turned out to be as much for me as for him. It made me slow down and actually look at him before I began.

## What I noticed

I want to be careful here, because I'm a mum and not a health professional, and I don't think massage is magic. It didn't turn Idris into a different baby. What it gave us was a small, predictable ritual in the middle of days that otherwise felt shapeless. After his bath I'd lay him on a towel on the bedroom floor, warm a little oil between my hands, and spend ten minutes touching, talking and watching. More evenings than not he went quiet and watchful, and the loud hours became a little shorter and a lot softer around the edges.

It changed me, too. In those early weeks I handled him like something borrowed and breakable. Massage taught my hands what he liked: slow, steady strokes rather than feathery ones, his feet before anything else, and his tummy only when he was in a good mood. I learned his signals as well. When he turned his head away, went stiff or started to grizzle, that was my cue to stop and try another day, and that was completely fine.

![A parent's hands holding a baby's bare feet above a striped towel](demo:massage-feet "Idris has always liked his feet done first; it's the easiest way in.")

Sam went back to work when Idris was three weeks old, and the Sunday morning massage became theirs. I think it did as much for the two of them as the evening ones did for me. There is something about ten minutes with no phone and no plan that lets you get to know a small person properly.

## Closeness, one way or another

Earlier this year I read Jonah's guest post here about [carrying his daughter in a sling](post:babywearing-for-beginners). What stayed with me wasn't the advice about straps and buckles, good as it was. It was his point that the real surprise of babywearing was how well he came to know Nell. I felt exactly the same about massage. Not everyone gets on with a sling, and not every baby enjoys being rubbed with oil, but I think most of us are after the same thing: a way of being close that fits our own family.

![A baby lying contentedly on a hooded towel beside a rubber duck](demo:after-bath "Lumi, fresh from the bath and in no hurry to get dressed.")

My sister Ruth started massaging Lumi at around eight weeks, after watching Idris and me over a long weekend. Lumi is a much calmer baby altogether, and her favourite part is having her hands opened out, one finger at a time, which Idris has never once allowed. Every baby is different, and half the fun is finding out what yours enjoys.

## Before you begin

A few common-sense things Maren taught us, which I'd pass on to anyone. Keep the room warm and your hands warm. Take off rings and bracelets. If your baby has a skin condition, has just had their jabs, or simply seems under the weather, wait until they're back to themselves, and if you're unsure about anything at all, ask your health visitor or doctor first. Try any new oil on a small patch of skin the day before, and keep away from nut oils and strongly scented products.

![A small amber bottle of oil next to a stack of folded towels](demo:oil-and-towels "Everything we use fits on the end of the chest of drawers.")

::: howto How to give your baby a massage
This is the simple routine we use at home; keep what suits you and your baby and leave the rest.

1. **Pick a calm moment.** Choose a time when your baby is awake and content: after a bath, before or after a sleep, or a little while after a feed all work well. Avoid the moments when they're very hungry or very full, and when you're in a hurry.
2. **Choose a simple oil or moisturiser.** A plain, unscented vegetable oil or a mild baby moisturiser is all you need. Warm a little between your palms before you start.
3. **Start at the chest and tummy.** Rest your hands on your baby's chest for a moment so they know you're there. Then make slow, open strokes out across the chest and soft clockwise circles around the tummy, using the flat of your hand.
4. **Work outward to the arms and legs, with long strokes back toward the heart.** Move on to the arms and then the legs, using long, smooth strokes that travel back up toward the body. Keep the pressure gentle: firm enough not to tickle, never enough to press.
5. **Mind the lymph areas.** Around the neck, the armpits, the chest and tummy, the groin and the inner thighs, use your very softest touch. Glide over these places rather than working on them.
6. **Finish with the back.** Lay your baby on their tummy across your lap or on the towel and stroke slowly from the shoulders down to the bottom. For many babies this is the most soothing part, so it makes a good ending.
7. **How often?** As often as it suits you both. Every day is lovely, but a couple of times a month is fine too; any massage is better than none.
8. **Smile and enjoy it.** Keep eye contact, chat, hum or sing something silly. Your baby cares far more about your face and your voice than about getting every stroke right.
:::

## Now that he's on the move

Idris is crawling now, and he has strong views about lying still. Our sessions are shorter, and some evenings they're just a back rub while he sits on my lap and bangs two spoons together. Maren tells me that toddlers often come back to massage in their own time, especially when it turns into a game or a story told on their backs, and I'm holding her to that. When her e-book finally arrives, I'll be first in the queue for the toddler chapter.

Thank you to Maren for the class that started all this, and for lending me her page. If you give it a try, I'd love to hear how you get on in the comments.`,
    },

    // -------------------------------------------------------------------------------------------
    {
      slug: 'autumn-lentil-soup',
      title: 'Our Autumn Lentil Soup',
      excerpt:
        'The cheap, forgiving, one-pot soup that has fed our family every autumn since our first baby, with notes on making it suit little ones.',
      category: 'family-kitchen',
      tags: ['recipes', 'batch cooking', 'toddlers'],
      author: 'maren',
      publishedAt: '2026-10-06T17:00:00Z',
      featureImage: 'soup-bowl',
      body: `Every family has a meal that turns up whenever life gets busy. Ours is this soup. I first made it when Elsie was a baby and I needed something I could cook with one hand, and it has followed us through three children, two kitchens and more grey October evenings than I can count.

It is cheap, it is forgiving, and it happily waits on the back of the hob while somebody finishes their homework or refuses their pyjamas.

## What you need

For a big pot, enough for four of us with leftovers for the freezer:

- 2 tablespoons of olive oil
- 2 onions, 2 carrots and 2 sticks of celery, all chopped small
- 2 cloves of garlic
- 1 teaspoon each of ground cumin and sweet paprika
- 300 g red lentils, rinsed
- 1 tin of chopped tomatoes
- about 1.5 litres of water or low-salt stock
- a squeeze of lemon and a handful of parsley to finish

## How we make it

1. Soften the onions, carrots and celery in the oil over a low heat for ten minutes, until they're sweet and floppy.
2. Stir in the garlic and spices for a minute.
3. Add the lentils, tomatoes and water. Bring it to the boil, then let it simmer, half covered, for about twenty-five minutes, stirring now and then, until the lentils have fallen apart.
4. Blend it smooth or leave it rough, as your family prefers. Finish with lemon and parsley.

## For the little ones

Red lentils are a gentle first food, and this soup is one of the easiest ways to share a family meal with a baby who is starting solids. Before you season the grown-up portion, take out a ladleful for the baby and blend it until smooth. Use water rather than stock for that batch, or a stock made without salt. Toddlers generally like it thick enough to scoop with bread, which is also a great deal less messy than a spoon.

## Making it stretch

It freezes beautifully in portions, so I nearly always make double. A swirl of yoghurt makes it feel like a treat, a handful of spinach at the end sneaks in something green, and a baked potato underneath turns it into a proper supper. And if it thickens too much overnight, a splash of water and a gentle reheat will bring it right back.`,
    },

    // -------------------------------------------------------------------------------------------
    {
      slug: 'slow-family-walks',
      title: 'Slow Walks: Puddles, Sticks and Snails',
      excerpt:
        'Why we stopped trying to get anywhere on family walks, and what happened when we let the smallest legs set the pace.',
      category: 'natural-parenting',
      tags: ['toddlers', 'outdoors', 'nature play'],
      author: 'maren',
      publishedAt: '2026-09-09T08:30:00Z',
      featureImage: 'puddle-walk',
      body: `For years our family walks had a destination: the café by the river, the top of the hill, the swings. And for years they ended the same way, with somebody small being carried the last half mile while complaining loudly about it.

Then one Saturday, Bea, who was not quite two, stopped at a puddle at the end of our road and would not move on. We had a choice between a battle and a puddle. We chose the puddle. Forty minutes later we had travelled about fifty metres, and it was the best walk we'd had in months.

## Let the smallest legs set the pace

Now we often go out with no destination at all. The walk is whatever we find on the way. A wall with moss on it. A snail crossing the path, which must be watched all the way to the other side. A stick that is exactly the right size, and therefore has to come home.

It feels slow to grown-ups, and it is. But toddlers are doing important work on those walks: balancing, noticing, testing what happens if they stamp just a little harder.

## What we bring

- Waterproofs and wellies for everyone, so nobody has to say no to a puddle
- A small bag for treasures (and a quiet agreement about how many come inside)
- Something warm to drink, and a snack that travels well
- A spare pair of socks, because there is always one boot that lets water in

## A few games for reluctant walkers

Our older two, now ten and seven, sometimes need more persuading than the toddler. These help:

1. **Colour hunt.** Everyone picks a colour and looks for five things in it before we turn back.
2. **Leaf boats.** Find the biggest leaf you can and race it down the gutter after the rain.
3. **Listening stop.** Everyone stands still with their eyes closed for one minute and counts the different sounds they can hear.

## Why it matters to us

None of this is complicated, and that is rather the point. A slow walk costs nothing and needs no equipment beyond a pair of boots. It gets us all outside in every season, and it reminds me, at least once a week, that the people I live with notice a great deal more than I do when I give them the time.`,
    },

    // -------------------------------------------------------------------------------------------
    {
      slug: 'visible-mending-for-beginners',
      title: 'Visible Mending for Beginners',
      excerpt:
        'A worn knee is not the end of a pair of trousers. How to patch it with a few bold stitches, and why we have stopped hiding our repairs.',
      category: 'home-garden',
      tags: ['mending', 'slow fashion', 'sewing'],
      author: 'maren',
      publishedAt: '2026-08-12T20:00:00Z',
      featureImage: 'mending-patch',
      body: `With three children in the house, knees are where trousers go to die. For a long time I either threw them out or tried to darn them so neatly that no one would notice, which took me hours and never quite worked. Then a friend showed me visible mending, and it changed the way I look at the mending basket.

The idea is simple: instead of hiding a repair, you make it part of the garment. A patch in a contrasting fabric, bold running stitches in a bright thread, and a worn-out knee becomes the best bit of the trousers.

## What you need

- A scrap of sturdy fabric a little bigger than the hole (old shirts and pillowcases work well)
- Thick cotton thread or embroidery thread in a colour you love
- A needle with a big eye, some pins and a pair of sharp scissors

## How to patch a knee

1. **Trim the loose threads** around the hole, but don't cut it any bigger.
2. **Pin the patch inside** the trouser leg, behind the hole, so it covers the worn area with a good margin all round. If you prefer the patch to show, pin it on the outside instead.
3. **Stitch a border.** Sew small running stitches all round the edge of the patch, through both layers.
4. **Fill it in.** Work rows of running stitches across the whole patch, about half a centimetre apart. Then, if you like, work another set of rows crossing the first. The grid is what holds the worn fabric firmly in place.
5. **Finish off** with a couple of small stitches on the inside, and give it a press.

## Letting the children join in

Elsie, who is ten, now mends her own jeans and has strong opinions about thread colours. Even Finn, at seven, can manage a row of big running stitches with a blunt needle and some supervision. It's a calm, useful thing to do together on a rainy afternoon, and they are far prouder of a patched knee than they ever were of a new pair of trousers.

## Why it is worth it

Each garment we keep going for another year is one less thing to buy and one less thing in the bin. But honestly, the bigger change has been in us. The children have learned that things can be fixed, that worn doesn't mean worthless, and that the marks of a well-loved thing can be rather beautiful.`,
    },

    // -------------------------------------------------------------------------------------------
    {
      slug: 'secondhand-baby-kit',
      title: 'A Secondhand Start: Kitting Out a Baby Without Buying New',
      excerpt:
        'Babies need far less than the shops suggest, and most of it can come from friends, swaps and charity shops. What we borrowed, what we bought, and what to buy new.',
      category: 'green-living',
      tags: ['babies', 'secondhand', 'low waste'],
      author: 'maren',
      publishedAt: '2026-07-08T10:00:00Z',
      featureImage: 'secondhand-pram',
      body: `Before our first baby, I made a list of everything I thought we needed. It ran to three pages. Three children later, I can tell you that most of that list was unnecessary, and almost everything on it could have come from somewhere other than a shop.

Babies grow out of things in weeks, which means there is a huge amount of barely used baby kit in the world, sitting in lofts and cupboards and waiting for someone to ask for it.

## Where to look

- **Friends and family.** Tell people you're happy to take hand-me-downs, and the bags will arrive. Pass on what you don't need.
- **Local swap groups and nearly-new sales.** Many towns have parent-run sales twice a year, where you can kit out a whole season for very little.
- **Charity shops.** Especially good for clothes, books, blankets and toys.
- **Libraries of things.** Some areas now lend out slings, baby baths, travel cots and even prams.

## What we were happy to get secondhand

Clothes, of course, by the bagful. Blankets, books, toys, a baby bath, a high chair, and the pram in the picture, which had already carried three babies before it came to us. Slings and carriers too, once we had checked that the fabric, seams and buckles were in good condition and we had the instructions.

## What we bought new

Some things are worth buying new for safety, or at least buying with great care:

1. **A car seat**, unless it comes from someone you trust completely who can tell you its whole history. A seat that has been in an accident may not protect as it should.
2. **A cot mattress.** A new, firm, well-fitting mattress for each baby is the usual advice.
3. **Anything you can't check properly**, such as electrical items without instructions.

## The bits nobody needs

Looking back, we never used the wipe warmer, the special nappy bin, or most of the tiny shoes. A drawer lined with a towel made a perfectly good changing station, and a cardboard box was the best toy Finn ever owned.

Buying less isn't about going without. It leaves more room, more money and more time for what your baby actually needs, which is mostly you.`,
    },

    // -------------------------------------------------------------------------------------------
    {
      slug: 'balcony-herb-garden',
      title: 'A Herb Garden on a Third-Floor Balcony',
      excerpt:
        'No garden? No problem. How we grow a summer of herbs in a planter box and two pots, and how the children help.',
      category: 'home-garden',
      tags: ['gardening', 'herbs', 'balcony'],
      author: 'maren',
      publishedAt: '2026-06-10T08:00:00Z',
      featureImage: 'balcony-herbs',
      body: `We live on the third floor, with a balcony just wide enough for two chairs and a lot of ambition. For our first few years here it held a bike and a dying geranium. Now, from May to October, it is a small, fragrant kitchen garden, and the children are in charge of watering it.

You don't need much space, or much experience, to grow herbs. Most of them want sunshine, decent drainage and someone who remembers them once a day.

## Which herbs are easiest

- **Mint.** Almost impossible to kill. Give it a pot of its own, because it will take over anything it shares with.
- **Chives.** Come back every year, and the purple flowers are edible and pretty.
- **Parsley.** Slow to start from seed, so buy a small plant and pick from the outside.
- **Thyme and rosemary.** Happy in a hot, dry spot and forgiving if you forget them for a day.
- **Basil.** The diva of the balcony. It loves warmth, hates cold nights and sulks if overwatered, but it is worth the effort in July.

## Our setup

One long planter box along the railing, fixed securely, and two terracotta pots on the floor. We use peat-free compost mixed with a handful of grit for the Mediterranean herbs. Everything gets watered in the evening, when the balcony is in shade, and a little more often in a heatwave.

## Letting the children help

Bea, who is two, has her own small watering can and a pot of cress on the windowsill, which grows fast enough to hold her interest. The older two sow, water and harvest. They're much more willing to eat something green if they've grown it themselves, and picking mint for a jug of water has become a summer ritual.

## A few things we've learned

1. Pick little and often. Regular snipping keeps herbs bushy rather than leggy.
2. Pinch off flowers on basil to keep the leaves coming.
3. Check that your pots have drainage holes, and stand them on saucers so you aren't watering the neighbours below.
4. At the end of the season, bring a pot of parsley or chives indoors to a bright windowsill and keep picking.

If you have a windowsill, a step or a sunny corner, you have room for a herb garden.`,
    },

    // -------------------------------------------------------------------------------------------
    {
      slug: 'reading-aloud-to-toddlers',
      title: 'Why We Still Read the Same Book Every Night',
      excerpt:
        'Toddlers love repetition, even when their parents could recite the book in their sleep. A few thoughts on reading aloud, and how to keep it fun for everyone.',
      category: 'natural-parenting',
      tags: ['toddlers', 'books', 'bonding'],
      author: 'maren',
      publishedAt: '2026-05-20T19:30:00Z',
      featureImage: 'reading-chair',
      body: `Bea has a favourite book. It is about a hedgehog who borrows everybody's umbrella on a rainy day, and we have read it, by my rough count, somewhere over four hundred times. If I skip a page, she notices. If I change a word, she corrects me. And every single night she laughs at the same moment, as if it were the first time.

With my first baby I worried about this. Shouldn't she be hearing new words, new stories? Now, on my third, I understand that repetition is exactly what toddlers need.

## Why the same book works

When a story is familiar, a toddler can relax into it. They know what's coming, so they can join in: pointing, finishing the sentences, making the noises. That sense of "I know this" is a real confidence boost for a small person in a big, unpredictable world. And each time through, they notice something new in the pictures that you never spotted.

## Making reading a habit

- **Keep books within reach.** A low shelf or a basket on the floor means toddlers can choose for themselves.
- **Pick a regular time.** Ours is just before bed, in the big chair by the lamp, but any time that fits your day will do.
- **Let them hold the book**, turn the pages, and go back to the bit they liked.
- **Don't worry about finishing.** If they wander off after two pages, that's fine. Try again tomorrow.

## Keeping it fun for the grown-up

Four hundred readings is a lot, even for a book you love. A few things that help me:

1. Do the voices. Make them sillier each time.
2. Pause before the best line and let your toddler say it.
3. Ask questions about the pictures: "Where's the bird? What do you think he's looking for?"
4. Take turns. Let another grown-up or an older sibling have a go at the bedtime book.

## Where to find books

We rely on our local library, which has a wonderful children's corner and lets each child borrow a generous stack. Charity shops and book swaps fill the gaps.

The older two are reading on their own now, but they still sometimes curl up in the chair while I read Bea's hedgehog book. Nobody is ever too old for a story read aloud.`,
    },

    // -------------------------------------------------------------------------------------------
    {
      slug: 'homemade-natural-cleaners',
      title: 'Three Homemade Cleaners I Actually Use',
      excerpt:
        'A simple all-purpose spray, a scrubbing paste and a glass cleaner, made from things already in the cupboard, plus the safety rules we stick to.',
      category: 'green-living',
      tags: ['cleaning', 'low waste', 'home'],
      author: 'maren',
      publishedAt: '2026-04-15T09:15:00Z',
      featureImage: 'cleaners-counter',
      body: `When Elsie started crawling, I looked at the cupboard under the sink and didn't much like what I saw: a dozen bottles, most half used, with warnings on the back I had never read. Over the next few years I slowly replaced most of them with three simple mixtures. They're cheap, they use refillable bottles, and they do the everyday jobs perfectly well.

I won't pretend they replace everything. For some jobs you may still want a shop-bought product. But for daily wiping, scrubbing and polishing, these are what we use.

## 1. All-purpose spray

- 1 part white vinegar
- 1 part water
- a few strips of lemon peel, left to steep for a week if you like the smell

Good for worktops, tables, the high chair tray and the fridge door. Don't use vinegar on natural stone such as marble or granite, because the acid can dull the surface.

## 2. Scrubbing paste

- a few tablespoons of bicarbonate of soda
- enough water or liquid soap to make a thick paste

Spread it on the sink, the hob or a stained pan, leave it for ten minutes, then scrub gently and rinse. Half a lemon makes a good scrubber for the sink.

## 3. Glass and mirror cleaner

- 1 part vinegar to 4 parts water in a spray bottle

Spray, then wipe with a dry cotton cloth or an old T-shirt. No streaks, and no paper towels.

## Our safety rules

1. **Label every bottle** clearly, even if you're sure you'll remember.
2. **Keep them out of reach** of children, just like any other cleaner. Homemade doesn't mean harmless.
3. **Never mix vinegar with bleach**, or any homemade cleaner with a shop-bought one.
4. **Make small batches** so nothing sits around for months.

## What we use instead of paper towels

A basket of cloths cut from old towels and worn-out T-shirts lives by the sink. They go in the wash with everything else and last for years.

The cupboard under our sink now holds three bottles, a box of bicarbonate and a basket of rags, and the house is just as clean as it ever was.`,
    },

    // -------------------------------------------------------------------------------------------
    {
      slug: 'babywearing-for-beginners',
      title: "Babywearing for Beginners: What I Wish I'd Known",
      excerpt:
        "Our first guest post: stay-at-home dad Jonah Pereira on carrying his daughter in a sling, the mistakes he made, and the surprise he didn't expect.",
      category: 'natural-parenting',
      tags: ['babywearing', 'babies', 'bonding', 'guest post'],
      author: 'jonah',
      publishedAt: '2026-03-18T07:45:00Z',
      featureImage: 'sling-walk',
      body: `When our daughter Nell was born, I was the parent staying at home, and I had absolutely no idea what I was doing. A friend lent us a stretchy wrap and said, "Just try it." The first time, it took me twenty minutes and a video to tie, and Nell screamed the whole time. The second time was a little better. By the end of the first month, I couldn't imagine a day without it.

Maren asked me to write down what I wish someone had told me at the start. So here it is.

## Start with a borrowed carrier

There are stretchy wraps, woven wraps, ring slings and buckled carriers, and every parent you meet will have a favourite. Before spending money, borrow one or visit a sling library if there's one near you. What suits one body and one baby may not suit another.

## Safety first, every time

Whatever carrier you use, I check the same few things every time I put Nell in:

- **High and snug.** She sits up on my chest, held firmly, never slumped low in the fabric. If I tip my head forward, I can reach the top of hers.
- **Face visible.** I can always see her face with a quick glance down, with nothing covering her nose or mouth.
- **Chin up.** Her chin stays off her chest, so her breathing is never squashed.
- **Well supported.** Her back is gently curved, the way it is when I hold her in my arms, and her legs are comfortably apart.

If anything feels wrong, take your baby out and start again. A sling library or a trained babywearing consultant can check your fit if you're unsure.

## Practise when it doesn't matter

Practise with a calm, fed baby at home, not in a car park with a screaming one. I also practised with a bag of flour wrapped in a towel, which looked strange but helped.

## Look after your back

Tighten as you go, keep the weight high and centred, and take breaks. If your back or shoulders ache, the carrier probably needs adjusting rather than you needing to toughen up.

## The part I didn't expect

I thought babywearing would be about free hands, and it was. I made a lot of toast one-handed and built a whole bookshelf with Nell asleep on my chest. But the real surprise was how well I got to know her. I learned the little sounds she made before she got hungry and the way she went heavy just before she fell asleep. I think I knew her better, those first months, than I've ever known anyone.

Give it a go. Be patient with yourself. And borrow before you buy.`,
    },

    // -------------------------------------------------------------------------------------------
    {
      slug: 'cloth-nappies-without-the-fuss',
      title: 'Cloth Nappies Without the Fuss',
      excerpt:
        "Cloth nappies sound like hard work, but after three babies we've settled into an easy routine. What we use, how we wash them, and the honest downsides.",
      category: 'green-living',
      tags: ['cloth nappies', 'babies', 'low waste'],
      author: 'maren',
      publishedAt: '2026-02-12T08:00:00Z',
      featureImage: 'nappies-line',
      body: `When I told my mother I was going to use cloth nappies with our first baby, she laughed and told me about soaking buckets and giant safety pins. Modern cloth nappies are nothing like that. After three babies, and with Bea still in them part-time, I can honestly say they add maybe fifteen minutes a day to our routine.

## Why we chose cloth

A baby can get through several thousand disposable nappies before they're potty trained, and most of them end up in landfill. Cloth nappies can last through more than one child, and you can sell or pass them on when you're done. Over a couple of years, they also cost quite a bit less, even allowing for washing.

## What we use

There are many systems, and it's worth trying a few before you commit. We use:

- **Shaped fitted nappies** at night, with a waterproof wrap on top
- **All-in-twos** in the daytime: a waterproof outer with a snap-in absorbent pad, so you can change just the pad when it's only wet
- **Fleece liners** that catch the mess and make cleaning much easier

About twenty nappies is plenty if you wash every two or three days.

## Our washing routine

1. Shake anything solid into the toilet.
2. Store used nappies in a lidded bucket or a zipped bag. No soaking needed.
3. Every two or three days, run a rinse cycle first, then a long wash at 40 or 60 degrees with a full dose of ordinary detergent (no fabric softener).
4. Dry them outside when you can. A sunny morning on the washing line in our building's shared garden does wonders for stains.

## The honest downsides

It isn't all sunshine. Cloth nappies are bulkier, so some trousers need to be a size up. There is more laundry, and on rainy weeks the airer is always full. And on holidays, or when everyone has a stomach bug, we use disposables without any guilt.

## Getting started

Many areas have a nappy library where you can borrow a trial kit and get advice. Start with a few, see what suits you, and remember that it doesn't have to be all or nothing. One cloth nappy a day is still one less in the bin.`,
    },

    // -------------------------------------------------------------------------------------------
    {
      slug: 'batch-cooking-baby-food',
      title: 'Batch Cooking for Babies: One Afternoon, a Week of Suppers',
      excerpt:
        'How we make a week of simple purées and soft finger foods in one afternoon, and how to store them safely.',
      category: 'family-kitchen',
      tags: ['baby food', 'batch cooking', 'babies'],
      author: 'maren',
      publishedAt: '2026-01-22T09:00:00Z',
      featureImage: 'puree-tray',
      body: `When each of our children started on solid food, I quickly learned that cooking a fresh purée every night was not going to happen. What did happen, most weeks, was a Sunday afternoon in the kitchen with the radio on, making a week's worth of baby food in one go.

It takes about two hours, it costs very little, and it means that on the evenings when everything goes wrong, supper is already in the freezer.

## What we make

We pick three or four vegetables and fruits each week and keep things simple:

- **Orange things:** carrot, sweet potato, butternut squash
- **Green things:** peas, broccoli, courgette, spinach
- **Fruit:** apple and pear, stewed until soft
- **Something more filling:** red lentils, porridge oats, or a little chicken or fish as the weeks go on

For the first tastes, single vegetables make it easier to see what your baby likes. After a few weeks, we start mixing.

## How we do it

1. **Wash, peel and chop** everything into even pieces.
2. **Steam** until very soft. Steaming keeps more flavour than boiling.
3. **Blend** with a little of the cooking water until smooth. As your baby gets older, mash instead, or leave soft lumps.
4. **Cool quickly**, then spoon into ice cube trays or small pots with lids.
5. **Freeze and label** with the contents and the date.

## Storing it safely

- Cool food quickly and put it in the fridge or freezer within a couple of hours.
- Use fridge portions within a day or two, and frozen ones within about a month.
- Thaw in the fridge overnight, then heat until piping hot all the way through. Stir well and let it cool before serving, testing it yourself first.
- Never refreeze food that has been defrosted, and throw away anything your baby has eaten from.
- Don't add salt, sugar or honey to food for babies under a year.

## Growing with your baby

Batch cooking isn't only for purées. As babies move on to finger foods, we bake soft vegetable fritters, mini oat muffins and little cubes of omelette, which freeze just as well.

Best of all, much of what we cook for the baby becomes part of the family meal. The squash purée turns into soup, and the stewed apple goes on everyone's porridge.`,
    },
  ],

  pages: [
    {
      slug: 'about',
      title: 'About Willowfold',
      author: 'maren',
      body: `Hello, and welcome. I'm Maren Ashby, and Willowfold is my family's corner of the internet.

I've been a certified infant massage instructor for fourteen years, teaching small groups of parents in community rooms, libraries and, more recently, my own front room. I'm also mum to Elsie, Finn and Bea, who between them have tested every idea on this blog, and partner to Tom, who does most of the cooking and all of the washing-up.

## What you'll find here

Willowfold is about natural parenting and greener living, without the guilt. We write about:

- **Natural parenting:** massage, babywearing, reading aloud, and slow days outside
- **Green living:** cloth nappies, secondhand baby kit and a cleaning cupboard you can trust
- **The family kitchen:** simple food that feeds babies and grown-ups from the same pot
- **Home and garden:** balcony herbs, mending and making do

None of us are perfect at any of it. We use disposable nappies on holiday, and some weeks the freezer is full of fish fingers. The aim is small, steady changes that make family life a little calmer and a little lighter on the planet.

## Write for us

Some of our favourite posts have come from guest writers: parents, grandparents and carers with something useful to share. If you have a story, a recipe or a hard-won tip that fits here, I'd love to hear from you. Send me a short note about your idea at maren@example.com, and we'll take it from there.

Thank you for reading, and for all your kind comments over the years.`,
    },
  ],

  comments: [
    {
      post: 'benefits-of-infant-massage',
      name: 'Riverside Parents Network',
      email: 'hello@riverside-parents.example.org',
      website: 'https://riverside-parents.example.org',
      body: `Thank you, Tess! So many parents at our Thursday baby café ask us about massage, and this is exactly the gentle, practical introduction we've been looking for. We'll be sharing it with our community in this week's newsletter.`,
      createdAt: '2026-10-20T21:41:00Z',
    },
    {
      post: 'benefits-of-infant-massage',
      name: 'Priya Nair',
      email: 'priya.nair@example.com',
      body: `Tess, the part about stopping when he turns his head away really stayed with me. I always felt I had to finish whatever I'd started, and my daughter clearly disagreed. We tried just her feet and her back tonight and she was grinning the whole time.`,
      createdAt: '2026-10-21T06:12:00Z',
    },
    {
      post: 'benefits-of-infant-massage',
      name: 'Hannah Whitlock',
      email: 'hannah.w@example.org',
      body: `Lovely to read this, Tess. My little boy is nearly one and won't stay still for anything, so I was glad to hear a back rub on your lap counts too. And Maren, please do finish that e-book. I'll buy the first copy!`,
      createdAt: '2026-10-22T19:05:00Z',
    },
    {
      post: 'babywearing-for-beginners',
      name: 'Olu Bamgbose',
      email: 'olu@example.com',
      body: `Jonah, the bag of flour tip made me laugh, but I'm going to try it before our twins arrive. Thanks for writing this from a dad's point of view.`,
      createdAt: '2026-03-19T12:20:00Z',
    },
    {
      post: 'cloth-nappies-without-the-fuss',
      name: 'Dan Foley',
      email: 'dan.foley@example.org',
      body: `Really helpful, thank you. We borrowed a trial kit from our local nappy library after reading this and we're three weeks in. The fleece liners are a game changer.`,
      createdAt: '2026-02-14T20:48:00Z',
    },
    {
      post: 'autumn-lentil-soup',
      name: 'Greta Lind',
      email: 'greta.lind@example.com',
      body: `Made this on Sunday with a squash that needed using up. My two-year-old had three bowls. Thank you, Maren!`,
      createdAt: '2026-10-08T18:30:00Z',
    },
  ],

  book: {
    title: 'Ten Quiet Minutes',
    subtitle: 'Infant massage, carrying and slow days with little ones',
    description:
      'A small book from Willowfold: infant massage step by step, carrying a baby close, and the slow, ordinary days of the first years, gathered from the blog and its guest writers.',
    publisher: 'Willowfold',
    rights: '© 2026 Maren Ashby and the guest writers. Shared for reading at home; please ask before reprinting.',
    subjects: ['Infant massage', 'Parenting', 'Babies'],
    cover: 'massage-feature',
    frontMatter: `*For every parent who has sat on the floor at six in the evening and wondered what to try next.*

This little book gathers some of Willowfold's posts about the first years: the massage routine that began it all, carrying a baby close, and the slow walks and bedtime stories that fill the days in between. The posts are printed as they appear on the blog, guest writers' words and all, so you can read them away from a screen.`,
    authors: [
      { author: 'maren', fileAs: 'Ashby, Maren', role: 'aut' },
      { author: 'tess', fileAs: 'Okafor, Tess', role: 'ctb' },
    ],
    contents: [
      {
        title: 'Before you begin',
        body: `Every routine in this book is a suggestion, never a rule. Babies let you know quickly what they like: a turned head, a stiff arm or a sudden wail means *not now*, and that is an answer worth respecting.

Warm the room, warm your hands, and choose a time when nobody is hungry or in a hurry. Ten quiet minutes are plenty.`,
      },
      {
        part: 'Touch',
        chapters: [{ post: 'benefits-of-infant-massage' }, { post: 'babywearing-for-beginners' }],
      },
      {
        part: 'Slow days',
        chapters: [{ post: 'reading-aloud-to-toddlers' }, { post: 'slow-family-walks' }],
      },
    ],
  },
};
