import datetime

import factory

from labelsp.validators import complete_siret
from registry.enums import AccreditationStandard, HabilitationStatus
from registry.models import CertificationBody
from registry.rules import habilitation_end


class CertificationBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificationBody

    name = factory.Sequence(lambda n: f"Certification Qualité n°{n}")
    siret = factory.Sequence(lambda n: complete_siret(f"4000{n:09d}"))
    accreditation_number = factory.Sequence(lambda n: f"5-{n:04d}")
    accreditation_standard = AccreditationStandard.ISO_17065
    habilitation_start = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=365))
    habilitation_end = factory.LazyAttribute(lambda o: habilitation_end(o.habilitation_start))
    habilitation_status = HabilitationStatus.ACTIVE
