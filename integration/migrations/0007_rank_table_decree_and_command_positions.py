"""The 2019 rank table as the report tells it: the decree's full title and scope, the
deputy-command positions the movements demanded, and what the report does not give.

- Roadmap of December 2020 (annex 6.2), item 14: "décret n°0874/P-RM du 30 octobre 2019 fixant les
  modalités d'attribution de grades, de fonction de commandement et de reclassement des
  ex-combattants des mouvements signataires dans les corps constitués de l'Etat y compris dans les
  forces armées et de sécurité".
- Report 3.3.1: on 8 April 2019 the draft decree (rank allocation, reclassification, command and
  control) was discussed; "armed groups asked to hold 'deputy/second in command' positions within
  the army and national guards [...] but the Malian ministry of defence rejected this".
- Report 3.4: the August 2022 meeting decided an ad hoc commission on rank and chain of command.

The report gives no line of the decree's table and no cap: the lines and caps loaded by 0003 stay
a first version for the commission to check against the decree's text, and the table's note says so.
"""

import datetime as dt

from django.db import migrations

# The field holds 200 characters: the title's object is shortened, the note quotes it whole.
DECREE = (
    "Décret n°2019-0874/P-RM du 30 octobre 2019 : grades, fonctions de commandement et reclassement "
    "des ex-combattants dans les corps constitués de l'Etat"
)
NOTE = (
    "Décret « fixant les modalités d'attribution de grades, de fonction de commandement et de "
    "reclassement des ex-combattants des mouvements signataires dans les corps constitués de l'Etat "
    "y compris dans les forces armées et de sécurité ». "
    "Le rapport (enseignements tirés 2024, 3.3.1 ; feuille de route de décembre 2020, point 14) cite "
    "le décret sans en donner les lignes ni les plafonds : les lignes et plafonds de cette grille "
    "sont une première version à vérifier contre le texte du décret (aucun chiffre du rapport). "
    "Le rang contesté relève d'un recours. Postes d'adjoint au commandement : demandés par les "
    "mouvements, refusés par le ministère de la Défense (3.3.1) ; en août 2022, une commission ad "
    "hoc est décidée pour les questions de grade et de chaîne de commandement (3.4). Le rapport ne "
    "donne pas le nombre de postes demandés."
)
# The deputy-command positions the movements demanded (3.3.1): no number given by the report.
COMMAND_POSITIONS = [
    {
        "position": "Commandant en second (adjoint) des bataillons reconstitués",
        "structure": "Forces armées maliennes",
        "demanded_by": "Mouvements signataires",
        "outcome": "Refusé par le ministère de la Défense",
        "number": None,
        "source": "Rapport 2024, 3.3.1",
    },
    {
        "position": "Commandant en second (adjoint) des unités de la Garde nationale",
        "structure": "Garde nationale",
        "demanded_by": "Mouvements signataires",
        "outcome": "Refusé par le ministère de la Défense",
        "number": None,
        "source": "Rapport 2024, 3.3.1",
    },
    {
        "position": "Grades et chaîne de commandement : commission ad hoc",
        "structure": "Structures de l'Etat (offre d'août 2022)",
        "demanded_by": "Réunion de haut niveau d'août 2022",
        "outcome": "Commission ad hoc décidée",
        "number": None,
        "source": "Rapport 2024, 3.4",
    },
]
EFFECTIVE = dt.date(2019, 10, 30)


def load(apps, schema_editor):
    RankTable = apps.get_model("integration", "RankTable")
    RankTable.objects.filter(effective_from=EFFECTIVE).update(
        decree=DECREE, note=NOTE, command_positions=COMMAND_POSITIONS
    )


def unload(apps, schema_editor):
    RankTable = apps.get_model("integration", "RankTable")
    RankTable.objects.filter(effective_from=EFFECTIVE).update(
        decree="Décret n°2019-0874/P-RM du 30 octobre 2019", note="", command_positions=[]
    )


class Migration(migrations.Migration):
    dependencies = [("integration", "0006_state_pathways")]
    operations = [migrations.RunPython(load, unload)]
